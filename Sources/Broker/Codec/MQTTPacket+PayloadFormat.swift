import NIOCore

/// The payload format check of MQTT 5.0 §3.3.2.3.2: a payload marked UTF-8 must be well-formed UTF-8.
///
/// It is separate from decoding because it reads the whole payload, which a broker may skip or defer:
/// the specification lets receivers check it (and answer 0x99 Payload format invalid), not requires it.
extension MQTTPacket.Publish {
    /// Throws ``MQTTProtocolError/invalidPayloadFormat`` when the payload format indicator says UTF-8
    /// and the payload is not well-formed UTF-8.
    public func validatePayloadFormat() throws(MQTTProtocolError) {
        try MQTTPayloadFormat.validate(payload, format: properties.payloadFormatIndicator)
    }
}

extension MQTTPacket.Connect.Will {
    /// Throws ``MQTTProtocolError/invalidPayloadFormat`` when the will's payload format indicator says
    /// UTF-8 and its payload is not well-formed UTF-8.
    public func validatePayloadFormat() throws(MQTTProtocolError) {
        try MQTTPayloadFormat.validate(payload, format: properties.payloadFormatIndicator)
    }
}

extension MQTTPayloadFormat {
    static func validate(_ payload: ByteBuffer, format: MQTTPayloadFormat?) throws(MQTTProtocolError) {
        guard format == .utf8 else { return }
        let valid = payload.withUnsafeReadableBytes { bytes in
            var iterator = bytes.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
        guard valid else { throw .invalidPayloadFormat }
    }
}
