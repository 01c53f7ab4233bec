import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Broker

/// An accepted connection on an `EmbeddedChannel`, whose written packets the test reads back.
struct EmbeddedConnection {
    let channel = EmbeddedChannel()
    let connection: MQTTConnection

    init(version: MQTTProtocolVersion = .v5, receiveMaximum: Int = 65_535, maximumPacketSize: Int? = nil) {
        connection = MQTTConnection(
            channel: channel, version: version, receiveMaximum: receiveMaximum, maximumPacketSize: maximumPacketSize,
            statistics: BrokerStatistics())
    }

    /// Every packet written since the last call.
    func written() throws -> [MQTTPacket] {
        channel.embeddedEventLoop.run()
        var decoder = MQTTDecoder(role: .client, protocolVersion: connection.version)
        var packets: [MQTTPacket] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while let packet = try decoder.decodePacket(from: &buffer) { packets.append(packet) }
        }
        return packets
    }

    /// The payloads (as text) and packet identifiers of the PUBLISH packets written since the last call.
    func publications() throws -> [(payload: String, id: UInt16?, dup: Bool)] {
        try written().compactMap { packet in
            guard case .publish(let publish) = packet else { return nil }
            return (String(buffer: publish.payload), publish.packetIdentifier, publish.dup)
        }
    }
}

func message(_ payload: String, topic: String = "t", qos: MQTTQoS = .atLeastOnce, expiresAt: NIODeadline? = nil) -> MQTTMessage {
    MQTTMessage(topic: topic, payload: ByteBuffer(string: payload), qos: qos, expiresAt: expiresAt)
}

func delivery(_ payload: String, qos: MQTTQoS = .atLeastOnce, expiresAt: NIODeadline? = nil) -> MQTTDelivery {
    MQTTDelivery(message: message(payload, qos: qos, expiresAt: expiresAt), qos: qos, retain: false, subscriptionIdentifiers: [])
}

@Suite("Session delivery: windows, queues, redelivery and drops")
struct SessionDeliveryTests {
    var configuration: BrokerConfiguration {
        var configuration = BrokerConfiguration()
        configuration.maximumQueuedMessages = 3
        return configuration
    }

    @Test func theReceiveWindowHoldsBackAndAcknowledgementsReleaseInOrder() throws {
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        let client = EmbeddedConnection(receiveMaximum: 2)
        _ = session.attach(client.connection, now: .now())
        let outcomes = (0..<5).map { session.deliver(delivery("m\($0)"), now: .now()) }
        #expect(outcomes == [.sent, .sent, .queued, .queued, .queued])
        let first = try client.publications()
        #expect(first.map(\.payload) == ["m0", "m1"])
        #expect(session.depth == (queued: 3, inflight: 2))

        let acknowledged = session.completed(first[1].id!, qos2: false, now: .now())
        #expect(acknowledged.known && acknowledged.drops.isEmpty)
        #expect(try client.publications().map(\.payload) == ["m2"])
        #expect(session.completed(first[1].id!, qos2: false, now: .now()).known == false, "a second PUBACK is unknown")
        #expect(session.completed(first[0].id!, qos2: true, now: .now()).known == false, "PUBCOMP does not end a QoS 1 message")
    }

    @Test func offlineQoS0IsDroppedAndAFullQueueDropsTheNewest() {
        let session = MQTTSession(clientID: "c", configuration: configuration)
        #expect(session.deliver(delivery("zero", qos: .atMostOnce), now: .now()) == .dropped(.offline))
        let outcomes = (0..<4).map { session.deliver(delivery("q\($0)"), now: .now()) }
        #expect(outcomes == [.queued, .queued, .queued, .dropped(.queueFull)])
        #expect(session.snapshot().pending.map { String(buffer: $0.message.payload) } == ["q0", "q1", "q2"])
    }

    @Test func aSlowConsumerLosesQoS0AndQueuesQoS1() throws {
        let session = MQTTSession(clientID: "c", configuration: configuration)
        let client = EmbeddedConnection()
        _ = session.attach(client.connection, now: .now())
        client.channel.isWritable = false
        #expect(session.deliver(delivery("zero", qos: .atMostOnce), now: .now()) == .dropped(.slowConsumer))
        #expect(session.deliver(delivery("one"), now: .now()) == .queued)
        #expect(try client.publications().isEmpty)
        client.channel.isWritable = true
        #expect(session.releasePending(now: .now()).isEmpty)
        #expect(try client.publications().map(\.payload) == ["one"])
    }

    @Test func reconnectingResendsInFlightWithDupThenPubrelThenTheQueue() throws {
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        let first = EmbeddedConnection(receiveMaximum: 2)
        _ = session.attach(first.connection, now: .now())
        _ = session.deliver(delivery("a", qos: .exactlyOnce), now: .now())
        _ = session.deliver(delivery("b"), now: .now())
        _ = session.deliver(delivery("c"), now: .now())
        let sent = try first.publications()
        #expect(sent.map(\.payload) == ["a", "b"])
        #expect(session.received(sent[0].id!, failed: false, now: .now()).known)  // PUBREC for a: PUBREL goes out
        session.detach(first.connection)

        let second = EmbeddedConnection(receiveMaximum: 2)
        _ = session.attach(second.connection, now: .now())
        let resent = try second.written()
        guard resent.count == 2, case .pubrel(let pubrel) = resent[0], case .publish(let publish) = resent[1] else {
            Issue.record("expected PUBREL then PUBLISH, got \(resent)")
            return
        }
        #expect(pubrel.packetIdentifier == sent[0].id)
        #expect(String(buffer: publish.payload) == "b" && publish.dup && publish.packetIdentifier == sent[1].id)
        // c waits: the window of 2 holds a (awaiting PUBCOMP) and b.
        #expect(session.depth == (queued: 1, inflight: 2))
        _ = session.completed(sent[0].id!, qos2: true, now: .now())
        #expect(try second.publications().map(\.payload) == ["c"])
    }

    @Test func expiredMessagesAreNotSent() throws {
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        let past = NIODeadline.now() - .seconds(1)
        #expect(session.deliver(delivery("old", expiresAt: past), now: .now()) == .dropped(.expired))
        _ = session.deliver(delivery("soon", expiresAt: .now() + .milliseconds(1)), now: .now())
        let client = EmbeddedConnection()
        #expect(session.attach(client.connection, now: .now() + .seconds(1)) == [.expired])
        #expect(try client.publications().isEmpty)
    }

    @Test func messagesOverTheClientsMaximumPacketSizeAreDropped() {
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        let client = EmbeddedConnection(maximumPacketSize: 64)
        _ = session.attach(client.connection, now: .now())
        #expect(session.deliver(delivery(String(repeating: "x", count: 100)), now: .now()) == .dropped(.tooLargeForClient))
        #expect(session.depth == (queued: 0, inflight: 0))
    }
}

@Suite("Connection rate limit")
struct ConnectionRateLimiterTests {
    @Test func aBurstThenTheRate() {
        let start = NIODeadline.now()
        let limiter = ConnectionRateLimiter(perSecond: 3)
        #expect((0..<4).map { _ in limiter.admit(now: start) } == [true, true, true, false])
        #expect(limiter.admit(now: start + .milliseconds(100)) == false)
        #expect(limiter.admit(now: start + .milliseconds(340)) == true, "one token refills in a third of a second")
        #expect(limiter.admit(now: start + .milliseconds(340)) == false)
    }
}

@Suite("Topic aliases towards the client")
struct OutboundTopicAliasTests {
    @Test func knownTopicsGoOutAsAliasesUpToTheClientsMaximum() throws {
        let channel = EmbeddedChannel()
        let connection = MQTTConnection(
            channel: channel, version: .v5, receiveMaximum: 10, maximumPacketSize: nil, topicAliasMaximum: 1, statistics: BrokerStatistics())
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        _ = session.attach(connection, now: .now())
        for topic in ["a/b", "a/b", "c/d", "a/b"] {
            _ = session.deliver(
                MQTTDelivery(message: message("x", topic: topic, qos: .atMostOnce), qos: .atMostOnce, retain: false, subscriptionIdentifiers: []),
                now: .now())
        }
        channel.embeddedEventLoop.run()
        var decoder = MQTTDecoder(role: .client, protocolVersion: .v5)
        var sent: [(String, UInt16?)] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while case .publish(let publish)? = try decoder.decodePacket(from: &buffer) {
                sent.append((publish.topicName, publish.properties.topicAlias))
            }
        }
        #expect(sent.map(\.0) == ["a/b", "", "c/d", ""])
        #expect(sent.map(\.1) == [1, 1, nil, 1])
    }
}


@Suite("Session: QoS 2 from the client")
struct InboundQoS2Tests {
    @Test func aResendIsRecognisedAcrossConnectionsUntilReleased() {
        let session = MQTTSession(clientID: "c", configuration: BrokerConfiguration())
        #expect(session.receivedQoS2(5, limit: 2) == .new)
        // The connection dropped; the client resends on a new one, to the same session.
        session.detach(EmbeddedConnection().connection)
        #expect(session.receivedQoS2(5, limit: 2) == .duplicate)
        #expect(session.receivedQoS2(6, limit: 2) == .new)
        #expect(session.receivedQoS2(7, limit: 2) == .overLimit)
        #expect(session.released(5))
        #expect(session.released(5) == false)
        #expect(session.receivedQoS2(5, limit: 2) == .new, "a released identifier starts a new message")
    }
}
