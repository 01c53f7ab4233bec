import NIOCore

/// The data representations of MQTT §1.5: variable byte integers, UTF-8 strings, binary data and string
/// pairs. Readers work on a packet's body, whose length is already known, so running out of bytes is a
/// malformed packet (``MQTTProtocolError/truncatedPacket(_:)``), never "wait for more".
extension ByteBuffer {
    /// The largest value of a variable byte integer: four bytes of seven bits.
    static let mqttMaximumVariableByteInteger = 268_435_455

    /// The longest UTF-8 string or binary data field (two-byte length prefix).
    static let mqttMaximumFieldLength = 65_535

    /// The variable byte integer at `index` and how many bytes it takes, or `nil` if the buffer ends first.
    ///
    /// Throws on a fifth byte and on a non-minimal encoding (MQTT-1.5.5-1), both malformed.
    func getMQTTVariableByteInteger(at index: Int) throws(MQTTProtocolError) -> (value: Int, length: Int)? {
        var value = 0
        var multiplier = 1
        for offset in 0..<4 {
            guard let byte = getInteger(at: index + offset, as: UInt8.self) else { return nil }
            value += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 {
                // A zero last byte after the first adds nothing: the same value fits in fewer bytes.
                if offset > 0, byte == 0 {
                    throw .invalidVariableByteInteger(bytes: Array(getBytes(at: index, length: offset + 1) ?? []))
                }
                return (value, offset + 1)
            }
            multiplier *= 128
        }
        throw .invalidVariableByteInteger(bytes: Array(getBytes(at: index, length: 4) ?? []))
    }

    /// Reads a variable byte integer that must be complete in the buffer.
    mutating func readMQTTVariableByteInteger() throws(MQTTProtocolError) -> Int {
        guard let (value, length) = try getMQTTVariableByteInteger(at: readerIndex) else {
            throw .truncatedPacket(nil)
        }
        moveReaderIndex(forwardBy: length)
        return value
    }

    /// Writes `value` (0...268,435,455) as a variable byte integer; returns the bytes written.
    @discardableResult
    mutating func writeMQTTVariableByteInteger(_ value: Int) -> Int {
        assert((0...Self.mqttMaximumVariableByteInteger).contains(value), "variable byte integer out of range")
        var value = value
        var written = 0
        repeat {
            var byte = UInt8(truncatingIfNeeded: value & 0x7F)
            value >>= 7
            if value > 0 { byte |= 0x80 }
            writeInteger(byte)
            written += 1
        } while value > 0
        return written
    }

    /// How many bytes `value` takes as a variable byte integer.
    static func mqttVariableByteIntegerLength(_ value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    /// Reads a big-endian integer that must be complete in the buffer.
    mutating func readMQTTInteger<T: FixedWidthInteger>(as: T.Type = T.self) throws(MQTTProtocolError) -> T {
        guard let value = readInteger(as: T.self) else { throw .truncatedPacket(nil) }
        return value
    }

    /// Reads a length-prefixed UTF-8 string, refusing ill-formed UTF-8 (surrogates included) and U+0000
    /// (MQTT-1.5.4-1, -2).
    mutating func readMQTTString() throws(MQTTProtocolError) -> String {
        let length = Int(try readMQTTInteger(as: UInt16.self))
        guard readableBytes >= length else { throw .truncatedPacket(nil) }
        let decoded: Result<String, MQTTProtocolError> = withUnsafeReadableBytes { raw in
            Self.decodeMQTTString(UnsafeRawBufferPointer(rebasing: raw[..<length]))
        }
        moveReaderIndex(forwardBy: length)
        return try decoded.get()
    }

    /// Validates and decodes the bytes of an MQTT UTF-8 string.
    static func decodeMQTTString(_ bytes: UnsafeRawBufferPointer) -> Result<String, MQTTProtocolError> {
        var isASCII = true
        var hasNull = false
        for byte in bytes {
            if byte == 0 {
                hasNull = true
            } else if byte & 0x80 != 0 {
                isASCII = false
            }
        }
        let string: String
        if isASCII {
            string = String(decoding: bytes, as: UTF8.self)
        } else if let validated = String(validating: bytes, as: UTF8.self) {
            string = validated
        } else {
            return .failure(.invalidUTF8(bytes: Array(bytes)))
        }
        return hasNull ? .failure(.nullCharacter(string)) : .success(string)
    }

    /// Reads length-prefixed binary data as a slice of this buffer (no copy).
    mutating func readMQTTBinary() throws(MQTTProtocolError) -> ByteBuffer {
        let length = Int(try readMQTTInteger(as: UInt16.self))
        guard let slice = readSlice(length: length) else { throw .truncatedPacket(nil) }
        return slice
    }

    /// Reads a UTF-8 string pair (a user property).
    mutating func readMQTTStringPair() throws(MQTTProtocolError) -> MQTTProperties.UserProperty {
        let name = try readMQTTString()
        let value = try readMQTTString()
        return MQTTProperties.UserProperty(name: name, value: value)
    }

    /// Writes a length-prefixed UTF-8 string; its length was checked by ``mqttStringLength(_:)``.
    mutating func writeMQTTString(_ string: String) {
        writeInteger(UInt16(truncatingIfNeeded: string.utf8.count))
        writeString(string)
    }

    /// Writes length-prefixed binary data; its length was checked by ``mqttBinaryLength(_:)``.
    mutating func writeMQTTBinary(_ data: ByteBuffer) {
        writeInteger(UInt16(truncatingIfNeeded: data.readableBytes))
        writeImmutableBuffer(data)
    }

    /// The encoded size of a string, prefix included; throws when it is longer than a field may be.
    static func mqttStringLength(_ string: String) throws(MQTTProtocolError) -> Int {
        let count = string.utf8.count
        guard count <= mqttMaximumFieldLength else { throw .fieldTooLong(bytes: count) }
        return 2 + count
    }

    /// The encoded size of binary data, prefix included; throws when it is longer than a field may be.
    static func mqttBinaryLength(_ data: ByteBuffer) throws(MQTTProtocolError) -> Int {
        let count = data.readableBytes
        guard count <= mqttMaximumFieldLength else { throw .fieldTooLong(bytes: count) }
        return 2 + count
    }
}
