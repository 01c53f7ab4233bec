import Foundation
import GRDB
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Broker

@Suite("Broker persistence: sessions, owed messages and retained messages in SQLite")
struct BrokerStoreTests {
    @Test func aWrittenBatchReadsBackTheSameAndRestoresIntoACore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let clock = WallClock.now()

        let core = BrokerCore(logger: Logger(label: "test"))
        let session = core.openSession(clientID: "dev-1", cleanStart: true, expiryInterval: 3_600)!.session
        let subscribe = MQTTPacket.Subscribe(
            packetIdentifier: 1,
            subscriptions: [.init(topicFilter: "cmd/#", options: .init(qos: .exactlyOnce, noLocal: true, retainAsPublished: true))],
            properties: { var p = MQTTProperties(); p.subscriptionIdentifiers = [42]; return p }())
        _ = core.subscribe(session, to: subscribe, version: .v5) { _ in true }
        var properties = MQTTProperties()
        properties.contentType = "application/json"
        properties.userProperties = [.init(name: "k", value: "v")]
        properties.correlationData = ByteBuffer(bytes: [1, 2, 3])
        let client = EmbeddedConnection(receiveMaximum: 1)
        _ = session.attach(client.connection, now: .now())
        core.publish(MQTTMessage(topic: "cmd/a", payload: ByteBuffer(string: "first"), qos: .exactlyOnce, properties: properties))
        core.publish(MQTTMessage(topic: "cmd/b", payload: ByteBuffer(string: "second"), qos: .atLeastOnce, expiresAt: .now() + .seconds(600)))
        core.publish(MQTTMessage(topic: "keep", payload: ByteBuffer(string: "retained"), qos: .atLeastOnce, retain: true))
        session.detach(client.connection)

        let store = try BrokerStore(path: path)
        try store.write(core.takePersistenceBatch(clock: clock), clock: clock)
        #expect(core.takePersistenceBatch(clock: clock).isEmpty, "nothing changed since")

        let loaded = try BrokerStore(path: path).load(clock: clock)
        #expect(loaded.retained.map(\.topic) == ["keep"])
        #expect(loaded.retained.first.map { String(buffer: $0.payload) } == "retained")
        let saved = try #require(loaded.sessions.first)
        #expect(saved.clientID == "dev-1" && saved.expiryInterval == 3_600)
        #expect(saved.subscriptions.map(\.filter) == ["cmd/#"])
        #expect(saved.subscriptions.first?.options == .init(qos: .exactlyOnce, noLocal: true, retainAsPublished: true))
        #expect(saved.subscriptions.first?.identifier == 42)
        #expect(saved.snapshot.inflight.count == 1 && saved.snapshot.pending.count == 1)
        let inflight = try #require(saved.snapshot.inflight.first?.delivery)
        #expect(String(buffer: inflight.message.payload) == "first" && inflight.qos == .exactlyOnce && inflight.subscriptionIdentifiers == [42])
        #expect(inflight.message.properties.contentType == "application/json")
        #expect(inflight.message.properties.userProperties == [.init(name: "k", value: "v")])
        #expect(inflight.message.properties.correlationData == ByteBuffer(bytes: [1, 2, 3]))
        let pending = try #require(saved.snapshot.pending.first)
        #expect(String(buffer: pending.message.payload) == "second" && pending.qos == .atLeastOnce)
        #expect(pending.message.expiresAt != nil)

        let restored = BrokerCore(logger: Logger(label: "test"))
        restored.restore(loaded, clock: WallClock.now(), eventLoop: EmbeddedEventLoop())
        #expect(restored.sessionCount == 1 && restored.retainedCount == 1)
        let again = try #require(restored.openSession(clientID: "dev-1", cleanStart: false, expiryInterval: 3_600))
        #expect(again.sessionPresent)
        let reconnected = EmbeddedConnection(receiveMaximum: 5)
        _ = again.session.attach(reconnected.connection, now: .now())
        let resent = try reconnected.publications()
        #expect(resent.map(\.payload) == ["first", "second"])
        #expect(resent.first?.dup == true, "the in-flight message is resent as a duplicate")
        // The subscription came back into the topic tree.
        restored.publish(MQTTMessage(topic: "cmd/c", payload: ByteBuffer(string: "third"), qos: .atLeastOnce))
        #expect(try reconnected.publications().map(\.payload) == ["third"])
    }

    @Test func sessionsWhoseExpiryPassedWhileDownAreNotRestored() throws {
        let clock = WallClock.now()
        var saved = PersistedState()
        saved.sessions = [
            PersistedSession(
                clientID: "gone", expiryInterval: 60, disconnectedAt: clock.wallMilliseconds - 120_000, subscriptions: [],
                snapshot: .init(nextPacketIdentifier: 0, inflight: [], pending: [])),
            PersistedSession(
                clientID: "kept", expiryInterval: 600, disconnectedAt: clock.wallMilliseconds - 120_000, subscriptions: [],
                snapshot: .init(nextPacketIdentifier: 0, inflight: [], pending: [])),
        ]
        let core = BrokerCore(logger: Logger(label: "test"))
        core.restore(saved, clock: clock, eventLoop: EmbeddedEventLoop())
        #expect(core.sessionCount == 1)
        #expect(core.takePersistenceBatch(clock: clock).deletedSessions == ["gone"])
    }
}

@Suite("Broker persistence: damaged rows")
struct BrokerStoreDamageTests {
    @Test func anUnreadableStoredMessageIsSkippedNotFatal() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let clock = WallClock.now()
        let store = try BrokerStore(path: path)
        var batch = PersistenceBatch()
        batch.retained = [MQTTMessage(topic: "good", payload: ByteBuffer(string: "1"), qos: .atMostOnce, retain: true)]
        try store.write(batch, clock: clock)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO retained (topic, message, qos) VALUES ('bad', x'30FF', 0)")
        }
        try queue.close()
        let loaded = try BrokerStore(path: path).load(clock: clock)
        #expect(loaded.retained.map(\.topic) == ["good"])
        #expect(loaded.unreadableMessages == 1)
    }
}
