import NIOCore
import Testing

@testable import Broker

/// Packets written out byte by byte from the specifications, decoded and encoded.
@Suite("Specification byte vectors")
struct SpecificationVectorTests {
    /// A minimal 3.1.1 CONNECT: protocol name "MQTT", level 4, Clean Session, keep-alive 60, empty client id.
    static let minimalConnect: [UInt8] = [
        0x10, 0x0C, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00,
    ]

    @Test func minimalV311Connect() throws {
        let expected = MQTTPacket.connect(
            MQTTPacket.Connect(protocolVersion: .v311, clientIdentifier: "", cleanStart: true, keepAlive: 60)
        )
        var decoder = MQTTDecoder()
        var buffer = Wire.buffer(Self.minimalConnect)
        #expect(try decoder.decodePacket(from: &buffer) == expected)
        #expect(decoder.protocolVersion == .v311)
        #expect(try Wire.encode(expected, version: .v311) == Self.minimalConnect)
    }

    @Test func minimalConnectArrivesByteAtATime() {
        let (nilPrefixes, outcome) = Wire.dripFeed(Self.minimalConnect, with: MQTTDecoder())
        #expect(nilPrefixes == Self.minimalConnect.count - 1)
        #expect(throws: Never.self) { try outcome.get() != nil }
    }

    /// The 3.1.1 specification's CONNECT variable header example (§3.1.2.10): flags 0xCE are
    /// user name, password, will QoS 1, will flag and Clean Session; keep-alive 10.
    @Test func v311ConnectWithEveryFlag() throws {
        let body: [UInt8] =
            [0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0xCE, 0x00, 0x0A]
            + Wire.utf8("id") + Wire.utf8("will/topic") + [0x00, 0x01, 0x21] + Wire.utf8("user") + [0x00, 0x02, 0x70, 0x77]
        let bytes = [0x10, UInt8(body.count)] + body
        let expected = MQTTPacket.connect(
            MQTTPacket.Connect(
                protocolVersion: .v311,
                clientIdentifier: "id",
                cleanStart: true,
                keepAlive: 10,
                username: "user",
                password: ByteBuffer(bytes: [0x70, 0x77]),
                will: .init(topic: "will/topic", payload: ByteBuffer(bytes: [0x21]), qos: .atLeastOnce, retain: false)
            )
        )
        #expect(try Wire.decodeAll(bytes, with: MQTTDecoder()) == [expected])
        #expect(try Wire.encode(expected, version: .v311) == bytes)
    }

    @Test func minimalV5ConnectHasAPropertyLength() throws {
        let bytes: [UInt8] = [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00]
        let connect = MQTTPacket.Connect(protocolVersion: .v5, clientIdentifier: "")
        #expect(try Wire.decodeAll(bytes, with: MQTTDecoder()) == [.connect(connect)])
        #expect(try Wire.encode(.connect(connect), version: .v5) == bytes)
    }

    @Test func fixedSizePackets() throws {
        #expect(try Wire.encode(.pingreq, version: .v311) == [0xC0, 0x00])
        #expect(try Wire.encode(.pingresp, version: .v5) == [0xD0, 0x00])
        #expect(try Wire.encode(.disconnect(.init()), version: .v311) == [0xE0, 0x00])
        #expect(try Wire.encode(.disconnect(.init()), version: .v5) == [0xE0, 0x00])
        #expect(try Wire.encode(.disconnect(.init(reasonCode: .serverShuttingDown)), version: .v5) == [0xE0, 0x01, 0x8B])
        #expect(try Wire.encode(.connack(.init()), version: .v311) == [0x20, 0x02, 0x00, 0x00])
        #expect(try Wire.encode(.connack(.init(sessionPresent: true)), version: .v5) == [0x20, 0x03, 0x01, 0x00, 0x00])
        #expect(try Wire.encode(.pubrel(.init(packetIdentifier: 0x1234)), version: .v311) == [0x62, 0x02, 0x12, 0x34])
        #expect(try Wire.encode(.puback(.init(packetIdentifier: 1)), version: .v5) == [0x40, 0x02, 0x00, 0x01])
        #expect(
            try Wire.encode(.puback(.init(packetIdentifier: 1, reasonCode: .notAuthorized)), version: .v5)
                == [0x40, 0x03, 0x00, 0x01, 0x87]
        )
    }

    @Test func v311PublishAtQoS1() throws {
        let bytes: [UInt8] = [0x32, 0x08] + Wire.utf8("a/b") + [0x00, 0x0A, 0x68]
        let publish = MQTTPacket.Publish(
            topicName: "a/b",
            payload: ByteBuffer(string: "h"),
            qos: .atLeastOnce,
            packetIdentifier: 10
        )
        #expect(try Wire.decodeAll(bytes, with: Wire.server(.v311)) == [.publish(publish)])
        #expect(try Wire.encode(.publish(publish), version: .v311) == bytes)
    }

    @Test func v311SubscribeAndItsAcknowledgement() throws {
        let subscribe: [UInt8] = [0x82, 0x0A, 0x00, 0x01] + Wire.utf8("a/#") + [0x01] + [0x00, 0x00]
        // The last filter is empty on purpose below; first the valid one alone.
        let valid: [UInt8] = [0x82, 0x08, 0x00, 0x01] + Wire.utf8("a/#") + [0x01]
        #expect(
            try Wire.decodeAll(valid, with: Wire.server(.v311)) == [
                .subscribe(.init(packetIdentifier: 1, subscriptions: [.init(topicFilter: "a/#", options: .init(qos: .atLeastOnce))]))
            ]
        )
        #expect(Wire.decodingError(subscribe, with: Wire.server(.v311)) == .truncatedPacket(.subscribe))
        // 3.1.1 SUBACK has only 0, 1, 2 and 0x80; every 5.0 failure is sent as 0x80.
        let suback = MQTTPacket.suback(.init(packetIdentifier: 1, reasonCodes: [.grantedQoS1, .notAuthorized, .quotaExceeded]))
        #expect(try Wire.encode(suback, version: .v311) == [0x90, 0x05, 0x00, 0x01, 0x01, 0x80, 0x80])
        #expect(
            try Wire.decodeAll([0x90, 0x04, 0x00, 0x01, 0x02, 0x80], with: Wire.client(.v311)) == [
                .suback(.init(packetIdentifier: 1, reasonCodes: [.grantedQoS2, .unspecifiedError]))
            ]
        )
    }

    @Test(arguments: [
        (MQTTReasonCode.success, UInt8(0)), (.unsupportedProtocolVersion, 1), (.clientIdentifierNotValid, 2),
        (.serverUnavailable, 3), (.badUserNameOrPassword, 4), (.notAuthorized, 5),
        (.banned, 5), (.serverBusy, 3), (.badAuthenticationMethod, 4), (.malformedPacket, 3),
    ])
    func v311ConnAckReturnCodes(reasonCode: MQTTReasonCode, returnCode: UInt8) throws {
        #expect(try Wire.encode(.connack(.init(reasonCode: reasonCode)), version: .v311) == [0x20, 0x02, 0x00, returnCode])
        let decoded = try Wire.decodeOne([0x20, 0x02, 0x00, returnCode], with: Wire.client(.v311))
        #expect(decoded == .connack(.init(reasonCode: MQTTReasonCode(v311ConnectReturnCode: returnCode)!)))
    }

    @Test func v311ConnAckReturnCodeAboveFiveIsRefused() {
        #expect(Wire.decodingError([0x20, 0x02, 0x00, 0x06], with: Wire.client(.v311)) == .invalidReasonCode(6, .connack))
    }

    @Test func mqtt31IsRefusedAsAnUnsupportedVersion() throws {
        // MQTT 3.1: protocol name "MQIsdp", level 3.
        let bytes: [UInt8] = [0x10, 0x0F, 0x00, 0x06] + Array("MQIsdp".utf8) + [0x03, 0x02, 0x00, 0x3C] + Wire.utf8("c")
        let error = Wire.decodingError(bytes, with: MQTTDecoder())
        #expect(error == .unsupportedProtocolVersion(level: 3))
        #expect(error?.reasonCode == .unsupportedProtocolVersion)
        // What the server answers, in the 3.1/3.1.1 layout every old client reads.
        #expect(try Wire.encode(.connack(.init(reasonCode: .unsupportedProtocolVersion)), version: .v311) == [0x20, 0x02, 0x00, 0x01])
    }

    @Test func unknownProtocolLevelAndNameAreRefused() throws {
        var bytes = Self.minimalConnect
        bytes[8] = 6
        #expect(Wire.decodingError(bytes, with: MQTTDecoder()) == .unsupportedProtocolVersion(level: 6))
        var name = Self.minimalConnect
        name[7] = 0x58  // "MQTX"
        #expect(Wire.decodingError(name, with: MQTTDecoder()) == .invalidProtocolName("MQTX"))
        #expect(MQTTProtocolError.invalidProtocolName("MQTX").reasonCode == .unsupportedProtocolVersion)
    }

    @Test func v5PasswordWithoutUserNameIsAllowed() throws {
        let connect = MQTTPacket.connect(
            .init(protocolVersion: .v5, clientIdentifier: "c", password: ByteBuffer(bytes: [1]))
        )
        let bytes = try Wire.encode(connect, version: .v5)
        #expect(bytes[9] == 0b0100_0010)
        #expect(try Wire.decodeAll(bytes, with: MQTTDecoder()) == [connect])
    }
}
