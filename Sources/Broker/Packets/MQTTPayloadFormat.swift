/// The value of the payload format indicator property.
public enum MQTTPayloadFormat: UInt8, Sendable, Hashable {
    /// Unspecified bytes.
    case unspecified = 0
    /// UTF-8 encoded character data; a receiver may check it.
    case utf8 = 1
}
