import NIOCore
import Testing

@testable import Broker

/// Packets the encoder refuses, writing nothing, and what it leaves out for 3.1.1.
@Suite("Encoding refusals")
struct EncodingRefusalTests {
    static func refusal(_ packet: MQTTPacket, _ version: MQTTProtocolVersion, limit: Int? = nil) -> MQTTProtocolError? {
        var buffer = ByteBuffer(bytes: [0xAB])
        do throws(MQTTProtocolError) {
            try buffer.writeMQTTPacket(packet, version: version, maximumPacketSize: limit)
            return nil
        } catch {
            #expect(Wire.bytes(buffer) == [0xAB], "a refused packet must leave the buffer as it was")
            return error
        }
    }

    @Test func propertyNotAllowedOnThePacket() {
        var properties = MQTTProperties()
        properties.topicAlias = 1
        let packet = MQTTPacket.puback(.init(packetIdentifier: 1, properties: properties))
        #expect(Self.refusal(packet, .v5) == .propertyNotAllowed(.topicAlias, in: .puback))
    }

    @Test func propertyValuesOutOfRange() {
        var properties = MQTTProperties()
        properties.subscriptionIdentifiers = [0]
        let publish = MQTTPacket.publish(.init(topicName: "a", payload: ByteBuffer(), properties: properties))
        #expect(Self.refusal(publish, .v5) == .invalidPropertyValue(.subscriptionIdentifier, value: 0))
        var twice = MQTTProperties()
        twice.subscriptionIdentifiers = [1, 2]
        let subscribe = MQTTPacket.subscribe(.init(packetIdentifier: 1, subscriptions: [.init(topicFilter: "a")], properties: twice))
        #expect(Self.refusal(subscribe, .v5) == .duplicateProperty(.subscriptionIdentifier))
    }

    @Test func packetsThatCannotBeWritten() {
        #expect(Self.refusal(.auth(.init()), .v311) == .packetNotInVersion(.auth, .v311))
        let noIdentifier = MQTTPacket.publish(.init(topicName: "a", payload: ByteBuffer(), qos: .atLeastOnce))
        #expect(Self.refusal(noIdentifier, .v5) == .missingPacketIdentifier(.publish))
        let wildcard = MQTTPacket.publish(.init(topicName: "a/#", payload: ByteBuffer()))
        #expect(Self.refusal(wildcard, .v311) == .invalidTopicName("a/#", .wildcardInTopicName))
        let noFilters = MQTTPacket.unsubscribe(.init(packetIdentifier: 1, topicFilters: []))
        #expect(Self.refusal(noFilters, .v5) == .emptyPayload(.unsubscribe))
        let wrongCode = MQTTPacket.pubrel(.init(packetIdentifier: 1, reasonCode: .notAuthorized))
        #expect(Self.refusal(wrongCode, .v5) == .invalidReasonCode(0x87, .pubrel))
        let password = MQTTPacket.connect(.init(protocolVersion: .v311, clientIdentifier: "c", password: ByteBuffer(bytes: [1])))
        #expect(Self.refusal(password, .v311) == .invalidConnectFlags(0b0100_0010))
    }

    @Test func peersMaximumPacketSize() throws {
        let publish = MQTTPacket.publish(.init(topicName: "a", payload: ByteBuffer(repeating: 0x61, count: 10)))
        let size = try publish.encodedSize(version: .v5)
        #expect(size == 16)
        #expect(Self.refusal(publish, .v5, limit: 15) == .packetTooLarge(size: 16, limit: 15))
        #expect(Self.refusal(publish, .v5, limit: 16) == nil)
    }

    @Test func v311LeavesPropertiesOut() throws {
        var properties = MQTTProperties()
        properties.userProperties = [.init(name: "k", value: "v")]
        properties.messageExpiryInterval = 10
        let publish = MQTTPacket.publish(.init(topicName: "a", payload: ByteBuffer(string: "p"), properties: properties))
        #expect(try Wire.encode(publish, version: .v311) == [0x30, 0x04, 0x00, 0x01, 0x61, 0x70])
        let unsuback = MQTTPacket.unsuback(.init(packetIdentifier: 2, reasonCodes: [.noSubscriptionExisted]))
        #expect(try Wire.encode(unsuback, version: .v311) == [0xB0, 0x02, 0x00, 0x02])
    }
}
