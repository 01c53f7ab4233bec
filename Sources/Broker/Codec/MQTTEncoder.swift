import NIOCore

/// Turns ``MQTTPacket``s into bytes for a connection of one protocol version.
///
/// Packets are written straight into the outbound buffer: their sizes are worked out first, so the fixed
/// header's remaining length is written before the body without an intermediate buffer, and every check
/// has passed before the first byte is written (a refused packet leaves the buffer as it was).
/// CONNECT is always written in its own ``MQTTPacket/Connect/protocolVersion``.
///
/// `MessageToByteEncoder` cannot change its state, so a server adds the encoder once CONNECT has told it
/// the version, or writes packets itself with ``NIOCore/ByteBuffer/writeMQTTPacket(_:version:maximumPacketSize:)``.
public struct MQTTEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = MQTTPacket

    public let protocolVersion: MQTTProtocolVersion
    /// The largest packet the peer accepts (its 5.0 Maximum Packet Size), or `nil` for no limit.
    public let maximumPacketSize: Int?

    public init(protocolVersion: MQTTProtocolVersion, maximumPacketSize: Int? = nil) {
        self.protocolVersion = protocolVersion
        self.maximumPacketSize = maximumPacketSize
    }

    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        try out.writeMQTTPacket(data, version: protocolVersion, maximumPacketSize: maximumPacketSize)
    }
}
