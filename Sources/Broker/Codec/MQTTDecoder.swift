import NIOCore

/// Turns bytes into ``MQTTPacket``s, for a server (packets clients send) or a client (packets servers send).
///
/// Returns `nil` while a packet is incomplete and throws ``MQTTProtocolError`` on a malformed or oversized
/// one; after an error the connection is beyond repair and must be closed. The fixed header is checked
/// as soon as its bytes arrive: the type, its flags, and the total size against ``maximumPacketSize``,
/// so an oversized packet is refused before its body is buffered.
///
/// A server's decoder starts without a protocol version: the first packet must be CONNECT, and its level
/// decides how every later packet is read. A client's decoder knows the version it asked for. A second
/// CONNECT is decoded by its own level and left to the session to refuse (MQTT-3.1.0-2).
public struct MQTTDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = MQTTPacket

    /// Which side of the connection the decoder serves.
    public enum Role: Sendable, Hashable {
        /// Decodes what clients send: CONNECT, PUBLISH, SUBSCRIBE, …
        case server
        /// Decodes what servers send: CONNACK, PUBLISH, SUBACK, …
        case client
    }

    /// The default limit on a packet's size: generous for telemetry, small enough that a connection
    /// cannot make the broker hold much memory.
    public static let defaultMaximumPacketSize = 1 << 20

    public let role: Role
    /// The largest packet accepted, fixed header included, in bytes (what a 5.0 server announces as
    /// Maximum Packet Size).
    public let maximumPacketSize: Int
    /// The connection's protocol version: learnt from CONNECT by a server, given to a client.
    public private(set) var protocolVersion: MQTTProtocolVersion?

    /// A decoder for a server's side of a new connection, which expects CONNECT first.
    public init(maximumPacketSize: Int = Self.defaultMaximumPacketSize) {
        self.init(role: .server, protocolVersion: nil, maximumPacketSize: maximumPacketSize)
    }

    /// A decoder for `role` whose protocol version is already known (a client's, or a server's after CONNECT).
    public init(
        role: Role,
        protocolVersion: MQTTProtocolVersion?,
        maximumPacketSize: Int = Self.defaultMaximumPacketSize
    ) {
        precondition(role == .server || protocolVersion != nil, "a client decoder needs the version it connects with")
        self.role = role
        self.protocolVersion = protocolVersion
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        try decodePacket(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try decodePacket(from: &buffer)
    }

    /// The typed-throwing body of ``decode(buffer:)``.
    public mutating func decodePacket(from buffer: inout ByteBuffer) throws(MQTTProtocolError) -> MQTTPacket? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        let (type, flags) = try checkFirstByte(first)
        guard let (remainingLength, lengthBytes) = try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex + 1)
        else { return nil }
        let packetSize = 1 + lengthBytes + remainingLength
        guard packetSize <= maximumPacketSize else {
            throw .packetTooLarge(size: packetSize, limit: maximumPacketSize)
        }
        guard buffer.readableBytes >= packetSize else { return nil }

        buffer.moveReaderIndex(forwardBy: 1 + lengthBytes)
        var body = buffer.readSlice(length: remainingLength)!
        let packet: MQTTPacket
        do {
            packet = try decodeBody(&body, type: type, flags: flags)
        } catch .truncatedPacket(nil) {
            throw .truncatedPacket(type)
        }
        guard body.readableBytes == 0 else { throw .trailingBytes(type, count: body.readableBytes) }
        if case .connect(let connect) = packet, protocolVersion == nil {
            protocolVersion = connect.protocolVersion
        }
        return packet
    }

    /// Checks the type and flags of the fixed header's first byte, before anything else arrives.
    private func checkFirstByte(_ byte: UInt8) throws(MQTTProtocolError) -> (MQTTPacketType, UInt8) {
        let rawType = byte >> 4
        let flags = byte & 0x0F
        guard let type = MQTTPacketType(rawValue: rawType) else { throw .reservedPacketType(rawType) }
        guard let version = protocolVersion else {
            // Only a server starts without a version.
            guard type == .connect else { throw .firstPacketNotConnect(type) }
            guard flags == 0 else { throw .invalidFixedHeaderFlags(type, flags: flags) }
            return (type, flags)
        }
        if type == .auth, version == .v311 { throw .reservedPacketType(rawType) }
        switch role {
        case .server: guard type.isSentByClient else { throw .unexpectedPacket(type) }
        case .client: guard type.isSentByServer(version) else { throw .unexpectedPacket(type) }
        }
        if let required = type.requiredFlags {
            guard flags == required else { throw .invalidFixedHeaderFlags(type, flags: flags) }
        } else {
            try MQTTPacket.Publish.validate(flags: flags)
        }
        return (type, flags)
    }

    private func decodeBody(
        _ body: inout ByteBuffer,
        type: MQTTPacketType,
        flags: UInt8
    ) throws(MQTTProtocolError) -> MQTTPacket {
        guard let version = protocolVersion else {
            return .connect(try .decode(from: &body))
        }
        switch type {
        case .connect: return .connect(try .decode(from: &body))
        case .connack: return .connack(try .decode(from: &body, version: version))
        case .publish:
            return .publish(try .decode(from: &body, flags: flags, version: version, fromClient: role == .server))
        case .puback: return .puback(try .decode(from: &body, type: type, version: version))
        case .pubrec: return .pubrec(try .decode(from: &body, type: type, version: version))
        case .pubrel: return .pubrel(try .decode(from: &body, type: type, version: version))
        case .pubcomp: return .pubcomp(try .decode(from: &body, type: type, version: version))
        case .subscribe: return .subscribe(try .decode(from: &body, version: version))
        case .suback: return .suback(try .decode(from: &body, version: version))
        case .unsubscribe: return .unsubscribe(try .decode(from: &body, version: version))
        case .unsuback: return .unsuback(try .decode(from: &body, version: version))
        case .pingreq: return .pingreq
        case .pingresp: return .pingresp
        case .disconnect:
            guard version == .v5 else { return .disconnect(MQTTPacket.Disconnect()) }
            let (reasonCode, properties) = try MQTTReasonAndProperties.decode(
                from: &body,
                type: type,
                context: .disconnect
            )
            return .disconnect(MQTTPacket.Disconnect(reasonCode: reasonCode, properties: properties))
        case .auth:
            let (reasonCode, properties) = try MQTTReasonAndProperties.decode(from: &body, type: type, context: .auth)
            return .auth(MQTTPacket.Auth(reasonCode: reasonCode, properties: properties))
        }
    }
}
