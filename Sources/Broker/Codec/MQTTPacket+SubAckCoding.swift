import NIOCore

extension MQTTPacket.SubAck {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let packetIdentifier = try body.readMQTTInteger(as: UInt16.self)
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.suback) }
        let properties = version == .v5 ? try MQTTProperties.decode(from: &body, context: .suback) : MQTTProperties()
        var reasonCodes: [MQTTReasonCode] = []
        reasonCodes.reserveCapacity(body.readableBytes)
        while let rawCode = body.readInteger(as: UInt8.self) {
            let valid: MQTTReasonCode? =
                switch version {
                case .v311: rawCode <= 2 || rawCode == 0x80 ? MQTTReasonCode(rawValue: rawCode) : nil
                case .v5: MQTTReasonCode(rawValue: rawCode).flatMap { $0.isAllowed(in: .suback) ? $0 : nil }
                }
            guard let code = valid else { throw .invalidReasonCode(rawCode, .suback) }
            reasonCodes.append(code)
        }
        guard !reasonCodes.isEmpty else { throw .emptyPayload(.suback) }
        return Self(packetIdentifier: packetIdentifier, reasonCodes: reasonCodes, properties: properties)
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.suback) }
        guard !reasonCodes.isEmpty else { throw .emptyPayload(.suback) }
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2 + reasonCodes.count
        if version == .v5 {
            for code in reasonCodes where !code.isAllowed(in: .suback) {
                throw .invalidReasonCode(code.rawValue, .suback)
            }
            lengths.properties = try properties.encodedLength(in: .suback)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(packetIdentifier)
        switch version {
        case .v311:
            for code in reasonCodes { buffer.writeInteger(code.v311SubscribeReturnCode) }
        case .v5:
            properties.write(to: &buffer, length: lengths.properties)
            for code in reasonCodes { buffer.writeInteger(code.rawValue) }
        }
    }
}
