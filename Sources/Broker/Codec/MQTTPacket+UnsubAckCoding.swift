import NIOCore

extension MQTTPacket.UnsubAck {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let packetIdentifier = try body.readMQTTInteger(as: UInt16.self)
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.unsuback) }
        guard version == .v5 else { return Self(packetIdentifier: packetIdentifier) }
        let properties = try MQTTProperties.decode(from: &body, context: .unsuback)
        var reasonCodes: [MQTTReasonCode] = []
        reasonCodes.reserveCapacity(body.readableBytes)
        while let rawCode = body.readInteger(as: UInt8.self) {
            guard let code = MQTTReasonCode(rawValue: rawCode), code.isAllowed(in: .unsuback) else {
                throw .invalidReasonCode(rawCode, .unsuback)
            }
            reasonCodes.append(code)
        }
        guard !reasonCodes.isEmpty else { throw .emptyPayload(.unsuback) }
        return Self(packetIdentifier: packetIdentifier, reasonCodes: reasonCodes, properties: properties)
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.unsuback) }
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2
        guard version == .v5 else { return lengths }
        guard !reasonCodes.isEmpty else { throw .emptyPayload(.unsuback) }
        for code in reasonCodes where !code.isAllowed(in: .unsuback) {
            throw .invalidReasonCode(code.rawValue, .unsuback)
        }
        lengths.properties = try properties.encodedLength(in: .unsuback)
        lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties) + reasonCodes.count
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(packetIdentifier)
        guard version == .v5 else { return }
        properties.write(to: &buffer, length: lengths.properties)
        for code in reasonCodes { buffer.writeInteger(code.rawValue) }
    }
}
