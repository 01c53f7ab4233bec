import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import Broker

@Suite("Broker core: routing to sessions and in-process subscribers")
struct BrokerCoreRoutingTests {
    let core = BrokerCore(logger: Logger(label: "test"))

    /// A connected session of `clientID` subscribed to `filters`.
    func subscriber(
        _ clientID: String, _ filters: [(String, MQTTQoS, Int?)], noLocal: Bool = false
    ) -> (MQTTSession, EmbeddedConnection) {
        let session = core.openSession(clientID: clientID, cleanStart: true, expiryInterval: 0)!.session
        let client = EmbeddedConnection()
        _ = session.attach(client.connection, now: .now())
        for (filter, qos, identifier) in filters {
            var properties = MQTTProperties()
            if let identifier { properties.subscriptionIdentifiers = [identifier] }
            let request = MQTTPacket.Subscribe(
                packetIdentifier: 1, subscriptions: [.init(topicFilter: filter, options: .init(qos: qos, noLocal: noLocal))],
                properties: properties)
            _ = core.subscribe(session, to: request, version: .v5) { _ in true }
        }
        return (session, client)
    }

    @Test func overlappingSubscriptionsGiveOneCopyAtTheHighestQoSWithEveryIdentifier() throws {
        let (_, client) = subscriber("s", [("a/+", .atMostOnce, 7), ("a/#", .atLeastOnce, 9)])
        #expect(core.publish(message("x", topic: "a/b", qos: .exactlyOnce)) == 1)
        let packets = try client.written()
        guard packets.count == 1, case .publish(let publish) = packets[0] else {
            Issue.record("expected one PUBLISH, got \(packets)")
            return
        }
        #expect(publish.qos == .atLeastOnce)
        #expect(publish.properties.subscriptionIdentifiers.sorted() == [7, 9])
    }

    @Test func sharedSubscriptionsTakeTurnsAndNoLocalSkipsThePublisher() throws {
        let (_, first) = subscriber("w1", [("$share/g/jobs/#", .atLeastOnce, nil)])
        let (_, second) = subscriber("w2", [("$share/g/jobs/#", .atLeastOnce, nil)])
        for index in 0..<4 { core.publish(message("\(index)", topic: "jobs/\(index)")) }
        #expect(try first.publications().count == 2)
        #expect(try second.publications().count == 2)

        let (_, me) = subscriber("me", [("chat", .atMostOnce, nil)], noLocal: true)
        core.publish(MQTTMessage(topic: "chat", payload: ByteBuffer(string: "mine"), qos: .atMostOnce, publisherClientID: "me"))
        core.publish(MQTTMessage(topic: "chat", payload: ByteBuffer(string: "theirs"), qos: .atMostOnce, publisherClientID: "you"))
        #expect(try me.publications().map(\.payload) == ["theirs"])
    }

    @Test func retainedMessagesAreKeptReplacedAndClearedByAnEmptyPayload() throws {
        core.publish(MQTTMessage(topic: "cfg/a", payload: ByteBuffer(string: "1"), qos: .atLeastOnce, retain: true))
        core.publish(MQTTMessage(topic: "cfg/a", payload: ByteBuffer(string: "2"), qos: .atLeastOnce, retain: true))
        core.publish(MQTTMessage(topic: "cfg/b", payload: ByteBuffer(string: "3"), qos: .atMostOnce, retain: true))
        #expect(core.retainedMessages(matching: "cfg/#", now: .now()).map { String(buffer: $0.payload) } == ["2", "3"])
        core.publish(MQTTMessage(topic: "cfg/a", payload: ByteBuffer(), qos: .atMostOnce, retain: true))
        #expect(core.retainedMessages(matching: "cfg/#", now: .now()).map(\.topic) == ["cfg/b"])
        #expect(core.retainedMessages(matching: "#", now: .now()).map(\.topic) == ["cfg/b"])
        core.publish(MQTTMessage(topic: "$SYS/x", payload: ByteBuffer(string: "s"), qos: .atMostOnce, retain: true))
        #expect(core.retainedMessages(matching: "#", now: .now()).map(\.topic) == ["cfg/b"], "# does not match $ topics")
    }

    @Test func inProcessSubscribersSeeMatchingMessagesUntilTheyUnsubscribe() throws {
        let seen = Recorder()
        let subscription = try core.subscribe("tenant/+/device/+/telemetry") { seen.append($0.topic) }
        core.publish(message("{}", topic: "tenant/t/device/d/telemetry"))
        core.publish(message("{}", topic: "tenant/t/device/d/other"))
        core.unsubscribe(subscription)
        core.publish(message("{}", topic: "tenant/t/device/d/telemetry"))
        #expect(seen.values == ["tenant/t/device/d/telemetry"])
    }

    @Test func subscribeAnswersPerFilterWithReasonCodes() {
        var configuration = BrokerConfiguration()
        configuration.maximumSubscriptionsPerSession = 1
        let core = BrokerCore(configuration: configuration, logger: Logger(label: "test"))
        let session = core.openSession(clientID: "c", cleanStart: true, expiryInterval: 0)!.session
        let request = MQTTPacket.Subscribe(
            packetIdentifier: 1, subscriptions: [.init(topicFilter: "ok/#", options: .init(qos: .exactlyOnce)), .init(topicFilter: "secret"), .init(topicFilter: "more")])
        let (codes, _) = core.subscribe(session, to: request, version: .v5) { $0 != "secret" }
        #expect(codes == [.grantedQoS2, .notAuthorized, .quotaExceeded])
        let (old, _) = core.subscribe(session, to: request, version: .v311) { $0 != "secret" }
        #expect(old == [.grantedQoS2, .unspecifiedError, .unspecifiedError])
        #expect(core.unsubscribe(session, from: ["ok/#", "never"]) == [.success, .noSubscriptionExisted])
    }
}

/// Collects values from `@Sendable` callbacks.
final class Recorder: Sendable {
    private let storage = NIOLockedValueBox<[String]>([])
    func append(_ value: String) { storage.withLockedValue { $0.append(value) } }
    var values: [String] { storage.withLockedValue { $0 } }
}

@Suite("Broker core: publishing to one client")
struct BrokerCoreClientPublishTests {
    @Test func onlyTheNamedClientsMatchingSubscriptionsGetIt() throws {
        let core = BrokerCore(logger: Logger(label: "test"))
        var clients: [EmbeddedConnection] = []
        for id in ["a", "b"] {
            let session = core.openSession(clientID: id, cleanStart: true, expiryInterval: 0)!.session
            let client = EmbeddedConnection()
            _ = session.attach(client.connection, now: .now())
            let request = MQTTPacket.Subscribe(packetIdentifier: 1, subscriptions: [.init(topicFilter: "$iothub/twin/res/#", options: .init(qos: .atLeastOnce))])
            _ = core.subscribe(session, to: request, version: .v311) { _ in true }
            clients.append(client)
        }
        #expect(core.publish(message("{}", topic: "$iothub/twin/res/200/?$rid=1"), toClient: "b") == 1)
        #expect(try clients[0].publications().isEmpty)
        #expect(try clients[1].publications().map(\.payload) == ["{}"])
        #expect(core.publish(message("{}", topic: "$iothub/twin/res/200/?$rid=2"), toClient: "nobody") == 0)
    }
}

@Suite("Broker core: a session belongs to the identity that opened it")
struct SessionOwnerTests {
    @Test func anotherIdentityCannotResumeOrTakeOverASession() throws {
        let core = BrokerCore(logger: Logger(label: "test"))
        let acme = MQTTIdentity(name: "pump-1", attributes: ["tenant": "acme"]).sessionOwner
        let globex = MQTTIdentity(name: "pump-1", attributes: ["tenant": "globex"]).sessionOwner
        #expect(acme != globex)
        #expect(core.openSession(clientID: "pump-1", cleanStart: false, expiryInterval: 600, owner: acme)?.sessionPresent == false)
        #expect(core.openSession(clientID: "pump-1", cleanStart: false, expiryInterval: 600, owner: globex) == nil)
        #expect(core.openSession(clientID: "pump-1", cleanStart: true, expiryInterval: 600, owner: globex) == nil)
        #expect(core.openSession(clientID: "pump-1", cleanStart: false, expiryInterval: 600, owner: acme)?.sessionPresent == true)

        // The owner survives persistence.
        let clock = WallClock.now()
        let batch = core.takePersistenceBatch(clock: clock)
        let restored = BrokerCore(logger: Logger(label: "test"))
        restored.restore(PersistedState(sessions: batch.sessions, retained: []), clock: clock, eventLoop: EmbeddedEventLoop())
        #expect(restored.openSession(clientID: "pump-1", cleanStart: false, expiryInterval: 600, owner: globex) == nil)
        #expect(restored.openSession(clientID: "pump-1", cleanStart: false, expiryInterval: 600, owner: acme)?.sessionPresent == true)
    }
}

@Suite("Broker core: delayed wills")
struct DelayedWillTests {
    @Test func cleanStartPublishesAWaitingWillAndAResumeCancelsIt() throws {
        let core = BrokerCore(logger: Logger(label: "test"))
        let seen = Recorder()
        _ = try core.subscribe("wills/#") { seen.append(String(buffer: $0.payload)) }
        let loop = EmbeddedEventLoop()
        func dropConnection(_ will: String) throws {
            let session = try #require(core.openSession(clientID: "dev", cleanStart: false, expiryInterval: 600)).session
            let client = EmbeddedConnection()
            _ = session.attach(client.connection, now: .now())
            core.connectionClosed(
                client.connection, of: session, will: { MQTTMessage(topic: "wills/dev", payload: ByteBuffer(string: will), qos: .atMostOnce) },
                willDelay: 60, on: loop)
        }
        try dropConnection("resumed")
        #expect(seen.values.isEmpty, "the will waits out its delay")
        _ = core.openSession(clientID: "dev", cleanStart: false, expiryInterval: 600)  // back in time: no will
        loop.advanceTime(by: .seconds(120))
        #expect(seen.values.isEmpty)

        try dropConnection("ended")
        _ = core.openSession(clientID: "dev", cleanStart: true, expiryInterval: 600)  // the old session ends
        #expect(seen.values == ["ended"])
        loop.advanceTime(by: .seconds(120))
        #expect(seen.values == ["ended"], "published once")
    }
}
