import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Broker

@Suite("Held acknowledgements: PUBACK after the application, in PUBLISH order")
struct HeldAcknowledgementTests {
    private func acknowledgements(_ client: EmbeddedConnection) throws -> [(UInt16, MQTTReasonCode)] {
        try client.written().compactMap { packet in
            guard case .puback(let ack) = packet else { return nil }
            return (ack.packetIdentifier, ack.reasonCode)
        }
    }

    @Test func aHeldAcknowledgementHoldsBackTheOnesAfterIt() throws {
        let client = EmbeddedConnection()
        let connection = client.connection
        for identifier: UInt16 in [1, 2, 3] { connection.expectAcknowledgement(identifier) }
        connection.decideAcknowledgement(2, reason: .success)
        #expect(try acknowledgements(client).isEmpty, "1 still waits")
        connection.decideAcknowledgement(1, reason: .quotaExceeded)
        #expect(try acknowledgements(client).map(\.0) == [1, 2])
        connection.decideAcknowledgement(3, reason: .noMatchingSubscribers)
        let last = try acknowledgements(client)
        #expect(last.map(\.0) == [3] && last[0].1 == .noMatchingSubscribers)
    }

    @Test func a311FailureClosesTheConnectionInsteadOfAcknowledging() throws {
        let client = EmbeddedConnection(version: .v311)
        client.connection.expectAcknowledgement(7)
        client.connection.decideAcknowledgement(7, reason: .payloadFormatInvalid)
        #expect(try acknowledgements(client).isEmpty)
        client.channel.embeddedEventLoop.run()
        #expect(!client.channel.isActive)
    }

    @Test func theBrokerCallsBackOnceEveryHolderCompleted() throws {
        let core = BrokerCore(logger: .init(label: "test"))
        let held = HeldBox()
        _ = try core.subscribe("telemetry/#", holdingAcknowledgements: true) { _, acknowledgement in held.add(acknowledgement) }
        _ = try core.subscribe("telemetry/#", holdingAcknowledgements: true) { _, acknowledgement in held.add(acknowledgement) }
        _ = try core.subscribe("telemetry/#") { _ in }
        let reasons = ReasonBox()
        let outcome = core.publish(message("x", topic: "telemetry/a")) { reasons.add($0) }
        #expect(outcome.delivered == 3 && outcome.held)
        held.all[0]?.complete(.success)
        #expect(reasons.all.isEmpty, "one holder still has it")
        held.all[1]?.complete(.quotaExceeded)
        #expect(reasons.all == [.quotaExceeded])
        let qos0 = core.publish(message("y", topic: "telemetry/a", qos: .atMostOnce)) { reasons.add($0) }
        #expect(!qos0.held && held.all.count == 4 && held.all[2] == nil, "QoS 0 needs no acknowledgement")
    }
}

private final class HeldBox: @unchecked Sendable {
    private var items: [MQTTAcknowledgement?] = []
    func add(_ item: MQTTAcknowledgement?) { items.append(item) }
    var all: [MQTTAcknowledgement?] { items }
}

private final class ReasonBox: @unchecked Sendable {
    private var items: [MQTTReasonCode] = []
    func add(_ item: MQTTReasonCode) { items.append(item) }
    var all: [MQTTReasonCode] { items }
}
