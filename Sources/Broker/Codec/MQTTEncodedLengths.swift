import NIOCore

/// Sizes an encoder works out before writing a packet, so that the remaining length is written first
/// without building the body in a separate buffer, and so that every check has passed before the first
/// byte is written.
struct MQTTEncodedLengths {
    /// The remaining length of the fixed header.
    var remaining = 0
    /// The property length (5.0), without its own prefix.
    var properties = 0
    /// The will property length (5.0 CONNECT), without its own prefix.
    var willProperties = 0

    /// The size of a property length prefix plus the properties.
    static func withPrefix(_ propertyLength: Int) -> Int {
        ByteBuffer.mqttVariableByteIntegerLength(propertyLength) + propertyLength
    }
}
