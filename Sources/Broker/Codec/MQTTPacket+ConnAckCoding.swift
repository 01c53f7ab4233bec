import NIOCore

extension MQTTPacket.ConnAck {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let flags = try body.readMQTTInteger(as: UInt8.self)
        guard flags & 0b1111_1110 == 0 else { throw .invalidConnAckFlags(flags) }
        let rawCode = try body.readMQTTInteger(as: UInt8.self)
        let reasonCode: MQTTReasonCode
        switch version {
        case .v311:
            guard let code = MQTTReasonCode(v311ConnectReturnCode: rawCode) else {
                throw .invalidReasonCode(rawCode, .connack)
            }
            reasonCode = code
        case .v5:
            guard let code = MQTTReasonCode(rawValue: rawCode), code.isAllowed(in: .connack) else {
                throw .invalidReasonCode(rawCode, .connack)
            }
            reasonCode = code
        }
        let sessionPresent = flags == 1
        // MQTT-3.2.2-4 (3.1.1) / MQTT-3.2.2-6 (5.0): a refusal never resumes a session.
        guard !(sessionPresent && reasonCode.isFailure) else { throw .invalidConnAckFlags(flags) }
        let properties = version == .v5 ? try MQTTProperties.decode(from: &body, context: .connack) : MQTTProperties()
        return Self(sessionPresent: sessionPresent, reasonCode: reasonCode, properties: properties)
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2
        if version == .v5 {
            guard reasonCode.isAllowed(in: .connack) else { throw .invalidReasonCode(reasonCode.rawValue, .connack) }
            lengths.properties = try properties.encodedLength(in: .connack)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        if sessionPresent, reasonCode.isFailure { throw .invalidConnAckFlags(1) }
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(sessionPresent ? 1 : 0 as UInt8)
        switch version {
        case .v311:
            buffer.writeInteger(reasonCode.v311ConnectReturnCode)
        case .v5:
            buffer.writeInteger(reasonCode.rawValue)
            properties.write(to: &buffer, length: lengths.properties)
        }
    }
}
