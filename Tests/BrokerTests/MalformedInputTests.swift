import NIOCore
import Testing

@testable import Broker

/// Input the decoder must refuse, each with the error and the reason code the broker answers.
@Suite("Malformed and refused input")
struct MalformedInputTests {
    /// A packet from its first byte and body, with the remaining length worked out.
    static func packet(_ first: UInt8, _ body: [UInt8]) -> [UInt8] {
        var length = ByteBuffer()
        length.writeMQTTVariableByteInteger(body.count)
        return [first] + Wire.bytes(length) + body
    }

    /// A 5.0 PUBLISH at QoS 1 (packet identifier 1) with raw property bytes.
    static func v5Publish(topic: [UInt8] = Wire.utf8("a/b"), properties: [UInt8], payload: [UInt8] = [0x68]) -> [UInt8] {
        packet(0x32, topic + [0x00, 0x01, UInt8(properties.count)] + properties + payload)
    }

    static let v5 = Wire.server(.v5)
    static let v311 = Wire.server(.v311)

    // MARK: Framing

    @Test func firstPacketMustBeConnect() {
        let error = Wire.decodingError([0xC0, 0x00], with: MQTTDecoder())
        #expect(error == .firstPacketNotConnect(.pingreq))
        #expect(error?.reasonCode == .protocolError)
        // An HTTP request on the MQTT port is refused on its first byte ("G" = 0x47, type 4).
        let (nilPrefixes, outcome) = Wire.dripFeed(Array("GET / HTTP/1.1\r\n".utf8), with: MQTTDecoder())
        #expect(nilPrefixes == 0)
        #expect(throws: MQTTProtocolError.firstPacketNotConnect(.puback)) { try outcome.get() }
    }

    @Test func reservedPacketTypes() {
        #expect(Wire.decodingError([0x00, 0x00], with: Self.v5) == .reservedPacketType(0))
        // AUTH does not exist in 3.1.1.
        #expect(Wire.decodingError([0xF0, 0x00], with: Self.v311) == .reservedPacketType(15))
        #expect(MQTTProtocolError.reservedPacketType(0).reasonCode == .malformedPacket)
    }

    @Test func packetsTravellingTheWrongWay() {
        #expect(Wire.decodingError([0x20, 0x02, 0x00, 0x00], with: Self.v5) == .unexpectedPacket(.connack))
        #expect(Wire.decodingError([0xD0, 0x00], with: Self.v311) == .unexpectedPacket(.pingresp))
        #expect(Wire.decodingError([0xC0, 0x00], with: Wire.client(.v5)) == .unexpectedPacket(.pingreq))
        // A 3.1.1 server never sends DISCONNECT.
        #expect(Wire.decodingError([0xE0, 0x00], with: Wire.client(.v311)) == .unexpectedPacket(.disconnect))
        #expect(MQTTProtocolError.unexpectedPacket(.connack).reasonCode == .protocolError)
    }

    @Test(arguments: [
        ([0x41, 0x02, 0x00, 0x01], MQTTPacketType.puback, UInt8(1)),
        ([0x60, 0x02, 0x00, 0x01], .pubrel, 0),
        ([0x63, 0x02, 0x00, 0x01], .pubrel, 3),
        ([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00], .subscribe, 0),
        ([0xA0, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61], .unsubscribe, 0),
        ([0xC8, 0x00], .pingreq, 8),
        ([0xE1, 0x00], .disconnect, 1),
    ] as [([UInt8], MQTTPacketType, UInt8)])
    func reservedFixedHeaderFlags(bytes: [UInt8], type: MQTTPacketType, flags: UInt8) {
        let error = Wire.decodingError(bytes, with: Self.v311)
        #expect(error == .invalidFixedHeaderFlags(type, flags: flags))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func connectWithFlagsIsRefusedBeforeItsBody() {
        #expect(Wire.decodingError([0x11], with: MQTTDecoder()) == .invalidFixedHeaderFlags(.connect, flags: 1))
    }

    @Test func publishQoS3IsMalformedOnItsFirstByte() {
        let error = Wire.decodingError([0x36], with: Self.v5)
        #expect(error == .invalidQoS(3))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func dupOnQoS0IsMalformed() {
        let bytes = Self.packet(0x38, Wire.utf8("a"))
        #expect(Wire.decodingError(bytes, with: Self.v5) == .invalidFixedHeaderFlags(.publish, flags: 8))
    }

    @Test func remainingLengthShorterThanTheFields() {
        // QoS 1 PUBLISH whose remaining length stops before the packet identifier.
        let error = Wire.decodingError([0x32, 0x03, 0x00, 0x01, 0x61, 0x00, 0x01], with: Self.v311)
        #expect(error == .truncatedPacket(.publish))
        #expect(error?.reasonCode == .malformedPacket)
        // A CONNECT whose client identifier claims more bytes than the packet has.
        let connect = Self.packet(0x10, [0x00, 0x04] + Array("MQTT".utf8) + [0x04, 0x02, 0x00, 0x3C, 0x00, 0x09, 0x61])
        #expect(Wire.decodingError(connect, with: MQTTDecoder()) == .truncatedPacket(.connect))
    }

    @Test func remainingLengthLongerThanTheFields() {
        #expect(Wire.decodingError([0x40, 0x03, 0x00, 0x01, 0x00], with: Self.v311) == .trailingBytes(.puback, count: 1))
        #expect(Wire.decodingError([0xC0, 0x01, 0x00], with: Self.v5) == .trailingBytes(.pingreq, count: 1))
        let connect = SpecificationVectorTests.minimalConnect
        let longer = [0x10, 0x0D] + connect[2...] + [0x00]
        #expect(Wire.decodingError(Array(longer), with: MQTTDecoder()) == .trailingBytes(.connect, count: 1))
    }

    @Test func truncatedPacketsAreNilUntilTheBytesEnd() throws {
        let packet = try Wire.encode(
            .publish(.init(topicName: "a/b", payload: ByteBuffer(string: "hello"), qos: .atLeastOnce, packetIdentifier: 3)),
            version: .v5
        )
        let (nilPrefixes, outcome) = Wire.dripFeed(Array(packet.dropLast()), with: Self.v5)
        #expect(nilPrefixes == packet.count - 1)
        #expect(try outcome.get() == nil)
        // A remaining length cut inside its own bytes is incomplete too, not malformed.
        #expect(try Wire.decodeOne([0x30, 0xFF, 0xFF], with: Self.v5) == nil)
    }

    @Test func oversizedPacketIsRefusedFromItsFixedHeader() {
        let decoder = Wire.server(.v5, maximumPacketSize: 100)
        // Five bytes announce a 256 MB packet; nothing more is needed to refuse it.
        let (nilPrefixes, outcome) = Wire.dripFeed([0x30, 0xFF, 0xFF, 0xFF, 0x7F], with: decoder)
        #expect(nilPrefixes == 4)
        #expect(throws: MQTTProtocolError.packetTooLarge(size: 268_435_460, limit: 100)) { try outcome.get() }
        #expect(MQTTProtocolError.packetTooLarge(size: 1, limit: 0).reasonCode == .packetTooLarge)
    }

    @Test func maximumPacketSizeIncludesTheFixedHeader() throws {
        let exactly = Self.packet(0x30, Wire.utf8("a") + Array(repeating: 0x61, count: 95))
        #expect(exactly.count == 100)
        #expect(try Wire.decodeOne(exactly, with: Wire.server(.v311, maximumPacketSize: 100)) != nil)
        #expect(
            Wire.decodingError(exactly, with: Wire.server(.v311, maximumPacketSize: 99))
                == .packetTooLarge(size: 100, limit: 99)
        )
        #expect(
            Wire.decodingError(SpecificationVectorTests.minimalConnect, with: MQTTDecoder(maximumPacketSize: 13))
                == .packetTooLarge(size: 14, limit: 13)
        )
    }

    // MARK: Packet identifiers, topics, strings

    @Test func packetIdentifierZero() {
        let publish = Self.packet(0x32, Wire.utf8("a") + [0x00, 0x00])
        #expect(Wire.decodingError(publish, with: Self.v311) == .zeroPacketIdentifier(.publish))
        let subscribe = Self.packet(0x82, [0x00, 0x00] + Wire.utf8("a") + [0x00])
        #expect(Wire.decodingError(subscribe, with: Self.v311) == .zeroPacketIdentifier(.subscribe))
        let unsubscribe = Self.packet(0xA2, [0x00, 0x00, 0x00] + Wire.utf8("a"))
        #expect(Wire.decodingError(unsubscribe, with: Self.v5) == .zeroPacketIdentifier(.unsubscribe))
        #expect(MQTTProtocolError.zeroPacketIdentifier(.publish).reasonCode == .protocolError)
    }

    @Test func invalidUTF8AndNullInATopic() {
        let surrogate = Self.packet(0x30, [0x00, 0x03, 0xED, 0xA0, 0x80])
        #expect(Wire.decodingError(surrogate, with: Self.v311) == .invalidUTF8(bytes: [0xED, 0xA0, 0x80]))
        let null = Self.packet(0x30, [0x00, 0x02, 0x61, 0x00])
        let error = Wire.decodingError(null, with: Self.v311)
        #expect(error == .nullCharacter("a\u{0}"))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test(arguments: ["a/+", "+", "sport/#", "#", "a+b"])
    func wildcardsInAPublishTopic(topic: String) {
        let bytes = Self.packet(0x30, Wire.utf8(topic) + [0x00])
        let error = Wire.decodingError(bytes, with: Self.v5)
        #expect(error == .invalidTopicName(topic, .wildcardInTopicName))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func emptyTopicNeedsATopicAlias() throws {
        let error = Wire.decodingError(Self.packet(0x30, Wire.utf8("") + [0x00]), with: Self.v5)
        #expect(error == .invalidTopicName("", .empty))
        #expect(error?.reasonCode == .protocolError)
        #expect(Wire.decodingError(Self.packet(0x30, Wire.utf8("")), with: Self.v311) == .invalidTopicName("", .empty))
        let aliased = Self.packet(0x30, Wire.utf8("") + [0x03, 0x23, 0x00, 0x07])
        #expect(try Wire.decodeOne(aliased, with: Self.v5) != nil)
    }

    @Test func topicAliasZeroIsAProtocolError() {
        let error = Wire.decodingError(Self.v5Publish(properties: [0x23, 0x00, 0x00]), with: Self.v5)
        #expect(error == .invalidPropertyValue(.topicAlias, value: 0))
        #expect(error?.reasonCode == .protocolError)
    }

    @Test func willTopicFollowsTopicNameRules() {
        let body: [UInt8] =
            [0x00, 0x04] + Array("MQTT".utf8) + [0x04, 0x06, 0x00, 0x3C] + Wire.utf8("c") + Wire.utf8("a/#") + [0x00, 0x00]
        #expect(Wire.decodingError(Self.packet(0x10, body), with: MQTTDecoder()) == .invalidTopicName("a/#", .wildcardInTopicName))
    }
}
