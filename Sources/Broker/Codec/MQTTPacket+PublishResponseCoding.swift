import NIOCore

extension MQTTPacket.PublishResponse {
    /// Decodes PUBACK, PUBREC, PUBREL or PUBCOMP, as `type` says.
    static func decode(
        from body: inout ByteBuffer,
        type: MQTTPacketType,
        version: MQTTProtocolVersion
    ) throws(MQTTProtocolError) -> Self {
        let packetIdentifier = try body.readMQTTInteger(as: UInt16.self)
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(type) }
        guard version == .v5, body.readableBytes > 0 else { return Self(packetIdentifier: packetIdentifier) }
        // 5.0 §3.4.2.1: reason code and properties may each be left out from the end.
        let rawCode = try body.readMQTTInteger(as: UInt8.self)
        guard let reasonCode = MQTTReasonCode(rawValue: rawCode), reasonCode.isAllowed(in: type) else {
            throw .invalidReasonCode(rawCode, type)
        }
        var properties = MQTTProperties()
        if body.readableBytes > 0, let context = MQTTProperties.Context(type) {
            properties = try MQTTProperties.decode(from: &body, context: context)
        }
        return Self(packetIdentifier: packetIdentifier, reasonCode: reasonCode, properties: properties)
    }

    func encodedLengths(type: MQTTPacketType, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(type) }
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2
        guard version == .v5 else { return lengths }
        guard reasonCode.isAllowed(in: type) else { throw .invalidReasonCode(reasonCode.rawValue, type) }
        if let context = MQTTProperties.Context(type) {
            lengths.properties = try properties.encodedLength(in: context)
        }
        if lengths.properties > 0 {
            lengths.remaining += 1 + MQTTEncodedLengths.withPrefix(lengths.properties)
        } else if reasonCode != .success {
            lengths.remaining += 1
        }
        return lengths
    }

    func write(to buffer: inout ByteBuffer, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(packetIdentifier)
        // The remaining length already says which of the optional fields follow.
        if lengths.remaining > 2 { buffer.writeInteger(reasonCode.rawValue) }
        if lengths.remaining > 3 { properties.write(to: &buffer, length: lengths.properties) }
    }
}
