import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import Broker

/// The client's channel handler on an `EmbeddedChannel`: server behaviour mosquitto cannot be made to show.
@Suite("MQTT client handler")
struct ClientHandlerTests {
    /// A connected handler whose received PUBLISHes land in `received`.
    static func connected(
        _ configure: (inout MQTTClientConfiguration) -> Void = { _ in }
    ) throws -> (EmbeddedChannel, NIOLockedValueBox<[MQTTPacket.Publish]>, EventLoopFuture<MQTTPacket.ConnAck>) {
        let received = NIOLockedValueBox<[MQTTPacket.Publish]>([])
        var configuration = MQTTClientConfiguration(clientIdentifier: "c")
        configuration.messageHandler = { publish in received.withLockedValue { $0.append(publish) } }
        configure(&configuration)
        let channel = EmbeddedChannel()
        let handler = MQTTClientHandler(configuration: configuration, logger: Logger(label: "test"))
        try channel.pipeline.syncOperations.addHandler(handler)
        let connAck = channel.eventLoop.makePromise(of: MQTTPacket.ConnAck.self)
        try channel.writeOutbound(MQTTClientRequest.connect(configuration.connectPacket, connAck))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        try channel.writeInbound(try bytes(.connack(MQTTPacket.ConnAck())))
        return (channel, received, connAck.futureResult)
    }

    static func bytes(_ packet: MQTTPacket) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try buffer.writeMQTTPacket(packet, version: .v5)
        return buffer
    }

    static func aliased(_ topic: String, alias: UInt16, payload: String) -> MQTTPacket {
        var properties = MQTTProperties()
        properties.topicAlias = alias
        return .publish(MQTTPacket.Publish(topicName: topic, payload: ByteBuffer(string: payload), properties: properties))
    }

    @Test("topic aliases the client allowed are set and applied")
    func topicAliases() throws {
        let (channel, received, connAck) = try Self.connected { $0.properties.topicAliasMaximum = 4 }
        #expect(try connAck.wait().reasonCode == .success)
        try channel.writeInbound(try Self.bytes(Self.aliased("site/7/temperature", alias: 3, payload: "a")))
        try channel.writeInbound(try Self.bytes(Self.aliased("", alias: 3, payload: "b")))
        let messages = received.withLockedValue { $0 }
        #expect(messages.map(\.topicName) == ["site/7/temperature", "site/7/temperature"])
        #expect(messages.allSatisfy { $0.properties.topicAlias == nil })
        _ = try? channel.finish()
    }

    @Test("a topic alias beyond the client's maximum closes the connection as a protocol violation")
    func topicAliasBeyondMaximum() throws {
        let (channel, received, _) = try Self.connected()
        try? channel.writeInbound(try Self.bytes(Self.aliased("t", alias: 1, payload: "x")))
        #expect(received.withLockedValue { $0.isEmpty })
        #expect(!channel.isActive)
    }

    @Test("QoS 1 and 2 publications are acknowledged; a QoS 2 one is delivered once until PUBREL")
    func acknowledgements() throws {
        let (channel, received, _) = try Self.connected()
        let once = MQTTPacket.Publish(topicName: "t", payload: ByteBuffer(string: "1"), qos: .atLeastOnce, packetIdentifier: 7)
        let twice = MQTTPacket.Publish(topicName: "t", payload: ByteBuffer(string: "2"), qos: .exactlyOnce, packetIdentifier: 8)
        var inbound = try Self.bytes(.publish(once))
        inbound.writeImmutableBuffer(try Self.bytes(.publish(twice)))
        var duplicate = twice
        duplicate.dup = true
        inbound.writeImmutableBuffer(try Self.bytes(.publish(duplicate)))
        try channel.writeInbound(inbound)
        var decoder = MQTTDecoder(role: .server, protocolVersion: .v5)
        var outbound = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var answers: [MQTTPacket] = []
        while let packet = try decoder.decodePacket(from: &outbound) { answers.append(packet) }
        #expect(answers == [
            .puback(.init(packetIdentifier: 7)), .pubrec(.init(packetIdentifier: 8)), .pubrec(.init(packetIdentifier: 8)),
        ])
        #expect(received.withLockedValue { $0.map { String(buffer: $0.payload) } } == ["1", "2"])
        try channel.writeInbound(try Self.bytes(.pubrel(.init(packetIdentifier: 8))))
        outbound = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try decoder.decodePacket(from: &outbound) == .pubcomp(.init(packetIdentifier: 8)))
        _ = try? channel.finish()
    }
}
