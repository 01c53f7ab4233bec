import NIOCore
import Testing

@testable import Broker

@Suite("Data representations (§1.5)")
struct ByteBufferMQTTTests {
    /// The examples of the specification's table of variable byte integer sizes.
    static let variableByteIntegers: [(Int, [UInt8])] = [
        (0, [0x00]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
    ]

    @Test(arguments: variableByteIntegers)
    func variableByteIntegerMatchesTheSpecificationTable(value: Int, bytes: [UInt8]) throws {
        var out = ByteBuffer()
        #expect(out.writeMQTTVariableByteInteger(value) == bytes.count)
        #expect(Wire.bytes(out) == bytes)
        #expect(ByteBuffer.mqttVariableByteIntegerLength(value) == bytes.count)
        var input = Wire.buffer(bytes + [0xAA])
        #expect(try input.readMQTTVariableByteInteger() == value)
        #expect(input.readableBytes == 1)
    }

    @Test func fiveByteVariableIntegerIsMalformed() {
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: MQTTProtocolError.invalidVariableByteInteger(bytes: [0xFF, 0xFF, 0xFF, 0xFF])) {
            var buffer = Wire.buffer(bytes)
            _ = try buffer.readMQTTVariableByteInteger()
        }
        #expect(MQTTProtocolError.invalidVariableByteInteger(bytes: []).reasonCode == .malformedPacket)
    }

    @Test(arguments: [[0x80, 0x00], [0xFF, 0x80, 0x00], [0x80, 0x80, 0x80, 0x00]] as [[UInt8]])
    func nonMinimalVariableIntegerIsMalformed(bytes: [UInt8]) {
        #expect(throws: MQTTProtocolError.invalidVariableByteInteger(bytes: bytes)) {
            var buffer = Wire.buffer(bytes)
            _ = try buffer.readMQTTVariableByteInteger()
        }
    }

    @Test func incompleteVariableIntegerIsNotYetKnown() throws {
        let buffer = Wire.buffer([0x80, 0x80])
        #expect(try buffer.getMQTTVariableByteInteger(at: 0) == nil)
    }

    @Test func stringMatchesTheSpecificationExample() throws {
        // §1.5.4 example: "A𪛔" is 00 05 41 F0 AA 9B 94.
        var out = ByteBuffer()
        out.writeMQTTString("A\u{2A6D4}")
        #expect(Wire.bytes(out) == [0x00, 0x05, 0x41, 0xF0, 0xAA, 0x9B, 0x94])
        #expect(try out.readMQTTString() == "A\u{2A6D4}")
        #expect(out.readableBytes == 0)
    }

    @Test func byteOrderMarkIsKept() throws {
        // MQTT-1.5.4-3: U+FEFF is not skipped or stripped.
        var buffer = Wire.buffer([0x00, 0x04, 0xEF, 0xBB, 0xBF, 0x61])
        #expect(try buffer.readMQTTString() == "\u{FEFF}a")
    }

    @Test(arguments: [
        [0xED, 0xA0, 0x80],  // U+D800, a surrogate
        [0xED, 0xBF, 0xBF],  // U+DFFF
        [0xC0, 0x80],  // overlong U+0000
        [0x61, 0xFF],  // never valid
        [0xE2, 0x82],  // truncated sequence
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
    ] as [[UInt8]])
    func illFormedUTF8IsMalformed(bytes: [UInt8]) {
        var buffer = Wire.buffer([0x00, UInt8(bytes.count)] + bytes)
        #expect(throws: MQTTProtocolError.invalidUTF8(bytes: bytes)) { try buffer.readMQTTString() }
        #expect(MQTTProtocolError.invalidUTF8(bytes: bytes).reasonCode == .malformedPacket)
    }

    @Test func nullCharacterIsMalformed() {
        var buffer = Wire.buffer([0x00, 0x03, 0x61, 0x00, 0x62])
        #expect(throws: MQTTProtocolError.nullCharacter("a\u{0}b")) { try buffer.readMQTTString() }
        #expect(MQTTProtocolError.nullCharacter("").reasonCode == .malformedPacket)
    }

    @Test func stringLongerThanItsBufferIsTruncated() {
        var buffer = Wire.buffer([0x00, 0x05, 0x61])
        #expect(throws: MQTTProtocolError.truncatedPacket(nil)) { try buffer.readMQTTString() }
    }

    @Test func binaryDataIsASliceAndStringPairsKeepTheirOrder() throws {
        var buffer = Wire.buffer([0x00, 0x02, 0x00, 0xFF] + Wire.utf8("n") + Wire.utf8("v"))
        #expect(Wire.bytes(try buffer.readMQTTBinary()) == [0x00, 0xFF])
        #expect(try buffer.readMQTTStringPair() == MQTTProperties.UserProperty(name: "n", value: "v"))
    }

    @Test func fieldsLongerThan65535BytesAreRefusedWhenEncoding() throws {
        let long = String(repeating: "a", count: 65_536)
        #expect(throws: MQTTProtocolError.fieldTooLong(bytes: 65_536)) { try ByteBuffer.mqttStringLength(long) }
        #expect(try ByteBuffer.mqttStringLength(String(repeating: "a", count: 65_535)) == 65_537)
    }
}
