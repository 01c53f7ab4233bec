import NIOCore

/// DISCONNECT and AUTH share a layout in 5.0: a reason code and properties, both left out when they are
/// success and empty (§3.14.2.1, §3.15.2.1); a one-byte body is a reason code without properties.
enum MQTTReasonAndProperties {
    static func decode(
        from body: inout ByteBuffer,
        type: MQTTPacketType,
        context: MQTTProperties.Context
    ) throws(MQTTProtocolError) -> (MQTTReasonCode, MQTTProperties) {
        guard let rawCode = body.readInteger(as: UInt8.self) else { return (.success, MQTTProperties()) }
        guard let reasonCode = MQTTReasonCode(rawValue: rawCode), reasonCode.isAllowed(in: type) else {
            throw .invalidReasonCode(rawCode, type)
        }
        guard body.readableBytes > 0 else { return (reasonCode, MQTTProperties()) }
        return (reasonCode, try MQTTProperties.decode(from: &body, context: context))
    }

    static func encodedLengths(
        _ reasonCode: MQTTReasonCode,
        _ properties: MQTTProperties,
        type: MQTTPacketType,
        context: MQTTProperties.Context
    ) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard reasonCode.isAllowed(in: type) else { throw .invalidReasonCode(reasonCode.rawValue, type) }
        var lengths = MQTTEncodedLengths()
        lengths.properties = try properties.encodedLength(in: context)
        if lengths.properties > 0 {
            lengths.remaining = 1 + MQTTEncodedLengths.withPrefix(lengths.properties)
        } else if reasonCode != .success {
            lengths.remaining = 1
        }
        return lengths
    }

    static func write(
        _ reasonCode: MQTTReasonCode,
        _ properties: MQTTProperties,
        to buffer: inout ByteBuffer,
        lengths: MQTTEncodedLengths
    ) {
        if lengths.remaining > 0 { buffer.writeInteger(reasonCode.rawValue) }
        if lengths.remaining > 1 { properties.write(to: &buffer, length: lengths.properties) }
    }
}
