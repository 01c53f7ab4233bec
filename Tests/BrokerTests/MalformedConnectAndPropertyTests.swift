import NIOCore
import Testing

@testable import Broker

/// CONNECT flags, 5.0 properties, subscriptions and reason codes the decoder refuses.
@Suite("Malformed CONNECT, properties and subscriptions")
struct MalformedConnectAndPropertyTests {
    static let v5 = Wire.server(.v5)
    static let v311 = Wire.server(.v311)

    static func connect(flags: UInt8, level: UInt8 = 4, tail: [UInt8] = []) -> [UInt8] {
        let properties: [UInt8] = level == 5 ? [0x00] : []
        let body = [0x00, 0x04] + Array("MQTT".utf8) + [level, flags, 0x00, 0x3C] + properties + Wire.utf8("c") + tail
        return MalformedInputTests.packet(0x10, body)
    }

    @Test(arguments: [
        (UInt8(0b0000_0011), "reserved bit"),
        (0b0000_1010, "will QoS without will flag"),
        (0b0010_0010, "will retain without will flag"),
        (0b0100_0010, "password without user name in 3.1.1"),
    ])
    func inconsistentConnectFlags(flags: UInt8, _ why: String) {
        let error = Wire.decodingError(Self.connect(flags: flags), with: MQTTDecoder())
        #expect(error == .invalidConnectFlags(flags), "\(why)")
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func willQoS3IsMalformed() {
        let error = Wire.decodingError(Self.connect(flags: 0b0001_1110), with: MQTTDecoder())
        #expect(error == .invalidQoS(3))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func clientIdentifierMustBeUTF8() {
        let body = [0x00, 0x04] + Array("MQTT".utf8) + [0x04, 0x02, 0x00, 0x3C, 0x00, 0x02, 0xC3, 0x28]
        #expect(
            Wire.decodingError(MalformedInputTests.packet(0x10, body), with: MQTTDecoder()) == .invalidUTF8(bytes: [0xC3, 0x28])
        )
    }

    @Test func propertyNotAllowedOnThePacket() {
        // Session Expiry Interval (0x11) belongs to CONNECT, CONNACK and DISCONNECT, not PUBLISH.
        let publish = MalformedInputTests.v5Publish(properties: [0x11, 0x00, 0x00, 0x00, 0x0A])
        let error = Wire.decodingError(publish, with: Self.v5)
        #expect(error == .propertyNotAllowed(.sessionExpiryInterval, in: .publish))
        #expect(error?.reasonCode == .protocolError)
        // Will Delay Interval (0x18) belongs to the will, not to CONNECT itself.
        let body = [0x00, 0x04] + Array("MQTT".utf8) + [0x05, 0x02, 0x00, 0x3C, 0x05, 0x18, 0, 0, 0, 1] + Wire.utf8("c")
        #expect(
            Wire.decodingError(MalformedInputTests.packet(0x10, body), with: MQTTDecoder())
                == .propertyNotAllowed(.willDelayInterval, in: .connect)
        )
    }

    @Test func subscriptionIdentifierFromAClientIsRefused() throws {
        let publish = MalformedInputTests.v5Publish(properties: [0x0B, 0x01])
        #expect(Wire.decodingError(publish, with: Self.v5) == .propertyNotAllowed(.subscriptionIdentifier, in: .publish))
        // From a server it may repeat.
        guard case .publish(let decoded) = try Wire.decodeOne(
            MalformedInputTests.v5Publish(properties: [0x0B, 0x01, 0x0B, 0x80, 0x01]),
            with: Wire.client(.v5)
        ) else {
            Issue.record("not a PUBLISH")
            return
        }
        #expect(decoded.properties.subscriptionIdentifiers == [1, 128])
    }

    @Test func duplicateProperties() {
        let publish = MalformedInputTests.v5Publish(properties: [0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2])
        let error = Wire.decodingError(publish, with: Self.v5)
        #expect(error == .duplicateProperty(.messageExpiryInterval))
        #expect(error?.reasonCode == .protocolError)
        let subscribe = MalformedInputTests.packet(0x82, [0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02] + Wire.utf8("a") + [0x00])
        #expect(Wire.decodingError(subscribe, with: Self.v5) == .duplicateProperty(.subscriptionIdentifier))
    }

    @Test func userPropertiesRepeatInOrder() throws {
        let pair: (String, String) -> [UInt8] = { [0x26] + Wire.utf8($0) + Wire.utf8($1) }
        let properties = pair("k", "2") + pair("a", "x") + pair("k", "1")
        guard case .publish(let decoded) = try Wire.decodeOne(MalformedInputTests.v5Publish(properties: properties), with: Self.v5)
        else {
            Issue.record("not a PUBLISH")
            return
        }
        #expect(decoded.properties.userProperties.map(\.name) == ["k", "a", "k"])
        #expect(decoded.properties.userProperties.map(\.value) == ["2", "x", "1"])
    }

    @Test func unknownPropertyIsMalformed() {
        let error = Wire.decodingError(MalformedInputTests.v5Publish(properties: [0x04, 0x00]), with: Self.v5)
        #expect(error == .unknownProperty(identifier: 4))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func propertyValuesOutOfRange() {
        #expect(
            Wire.decodingError(MalformedInputTests.v5Publish(properties: [0x01, 0x02]), with: Self.v5)
                == .invalidPropertyValue(.payloadFormatIndicator, value: 2)
        )
        let connack: ([UInt8]) -> [UInt8] = { MalformedInputTests.packet(0x20, [0x00, 0x00, UInt8($0.count)] + $0) }
        #expect(Wire.decodingError(connack([0x24, 0x02]), with: Wire.client(.v5)) == .invalidPropertyValue(.maximumQoS, value: 2))
        #expect(Wire.decodingError(connack([0x21, 0x00, 0x00]), with: Wire.client(.v5)) == .invalidPropertyValue(.receiveMaximum, value: 0))
        #expect(Wire.decodingError(connack([0x25, 0x02]), with: Wire.client(.v5)) == .invalidPropertyValue(.retainAvailable, value: 2))
        #expect(Wire.decodingError(connack([0x16, 0x00, 0x01, 0x61]), with: Wire.client(.v5)) == .authenticationDataWithoutMethod)
    }

    @Test func propertyLengthBeyondThePacket() {
        #expect(Wire.decodingError(MalformedInputTests.packet(0x32, Wire.utf8("a") + [0x00, 0x01, 0x05, 0x01]), with: Self.v5) == .truncatedPacket(.publish))
    }

    // MARK: Subscriptions

    static func subscribe(_ version: MQTTProtocolVersion, _ filter: String, options: UInt8) -> [UInt8] {
        MalformedInputTests.packet(0x82, [0x00, 0x01] + (version == .v5 ? [0x00] : []) + Wire.utf8(filter) + [options])
    }

    @Test func subscribeNeedsAFilter() {
        let error = Wire.decodingError(MalformedInputTests.packet(0x82, [0x00, 0x01, 0x00]), with: Self.v5)
        #expect(error == .emptyPayload(.subscribe))
        #expect(error?.reasonCode == .protocolError)
        #expect(Wire.decodingError(MalformedInputTests.packet(0xA2, [0x00, 0x01]), with: Self.v311) == .emptyPayload(.unsubscribe))
    }

    @Test func subscriptionOptionsReservedBits() {
        #expect(Wire.decodingError(Self.subscribe(.v5, "a", options: 0x40), with: Self.v5) == .invalidSubscriptionOptions(0x40))
        #expect(Wire.decodingError(Self.subscribe(.v311, "a", options: 0x04), with: Self.v311) == .invalidSubscriptionOptions(0x04))
        #expect(MQTTProtocolError.invalidSubscriptionOptions(0).reasonCode == .malformedPacket)
        #expect(Wire.decodingError(Self.subscribe(.v5, "a", options: 0x03), with: Self.v5) == .invalidQoS(3))
    }

    @Test func retainHandling3IsAProtocolError() {
        let error = Wire.decodingError(Self.subscribe(.v5, "a", options: 0x30), with: Self.v5)
        #expect(error == .invalidRetainHandling(3))
        #expect(error?.reasonCode == .protocolError)
    }

    @Test func noLocalOnASharedSubscription() {
        let error = Wire.decodingError(Self.subscribe(.v5, "$share/g/a", options: 0x04), with: Self.v5)
        #expect(error == .noLocalOnSharedSubscription("$share/g/a"))
        #expect(error?.reasonCode == .protocolError)
    }

    @Test func invalidFiltersAreRefused() {
        #expect(
            Wire.decodingError(Self.subscribe(.v311, "a/#/b", options: 0), with: Self.v311)
                == .invalidTopicFilter("a/#/b", .misplacedMultiLevelWildcard)
        )
        #expect(
            Wire.decodingError(Self.subscribe(.v5, "$share/g+/a", options: 0), with: Self.v5)
                == .invalidTopicFilter("$share/g+/a", .invalidShareName("g+"))
        )
    }

    // MARK: Reason codes and acknowledgement flags

    @Test func reasonCodeNotAllowedInThePacket() {
        let error = Wire.decodingError([0x40, 0x03, 0x00, 0x01, 0x8F], with: Self.v5)
        #expect(error == .invalidReasonCode(0x8F, .puback))
        #expect(error?.reasonCode == .protocolError)
        #expect(Wire.decodingError([0xE0, 0x01, 0x01], with: Self.v5) == .invalidReasonCode(0x01, .disconnect))
        #expect(Wire.decodingError([0xF0, 0x01, 0x87], with: Self.v5) == .invalidReasonCode(0x87, .auth))
        #expect(Wire.decodingError([0x90, 0x04, 0x00, 0x01, 0x00, 0x03], with: Wire.client(.v5)) == .invalidReasonCode(0x03, .suback))
    }

    @Test func connAckFlags() {
        #expect(Wire.decodingError([0x20, 0x02, 0x02, 0x00], with: Wire.client(.v311)) == .invalidConnAckFlags(2))
        #expect(Wire.decodingError([0x20, 0x02, 0x01, 0x05], with: Wire.client(.v311)) == .invalidConnAckFlags(1))
    }

    // MARK: Payload format

    @Test func payloadFormatIndicatorChecksUTF8() throws {
        var properties = MQTTProperties()
        properties.payloadFormatIndicator = .utf8
        let invalid = MQTTPacket.Publish(topicName: "t", payload: ByteBuffer(bytes: [0x61, 0xED, 0xA0, 0x80]), properties: properties)
        #expect(throws: MQTTProtocolError.invalidPayloadFormat) { try invalid.validatePayloadFormat() }
        #expect(MQTTProtocolError.invalidPayloadFormat.reasonCode == .payloadFormatInvalid)
        let valid = MQTTPacket.Publish(topicName: "t", payload: ByteBuffer(string: "température ✓"), properties: properties)
        try valid.validatePayloadFormat()
        let unspecified = MQTTPacket.Publish(topicName: "t", payload: ByteBuffer(bytes: [0xFF]))
        try unspecified.validatePayloadFormat()
        let will = MQTTPacket.Connect.Will(topic: "t", payload: ByteBuffer(bytes: [0xC0, 0x80]), properties: properties)
        #expect(throws: MQTTProtocolError.invalidPayloadFormat) { try will.validatePayloadFormat() }
    }
}
