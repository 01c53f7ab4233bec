import NIOCore
import NIOTestUtils
import Testing

@testable import Broker

/// Every packet type of both versions encodes and decodes back to itself, in the direction it travels.
@Suite("Codec round trips")
struct RoundTripTests {
    static func payload(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// What a client sends, with every property the packet allows in 5.0.
    static func clientPackets(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        let isV5 = version == .v5
        func props(_ context: MQTTProperties.Context) -> MQTTProperties {
            isV5 ? .all(for: context) : MQTTProperties()
        }
        var publishProperties = props(.publish)
        publishProperties.subscriptionIdentifiers = []  // only servers send them
        let will = MQTTPacket.Connect.Will(
            topic: "devices/d1/status",
            payload: payload("offline"),
            qos: .exactlyOnce,
            retain: true,
            properties: props(.will)
        )
        var packets: [MQTTPacket] = [
            .connect(
                MQTTPacket.Connect(
                    protocolVersion: version,
                    clientIdentifier: "device-1",
                    cleanStart: false,
                    keepAlive: 0xFFFF,
                    username: "tenant/device-1",
                    password: ByteBuffer(bytes: [0, 0xFF, 0x80]),
                    will: will,
                    properties: props(.connect)
                )
            ),
            .connect(MQTTPacket.Connect(protocolVersion: version, clientIdentifier: "", keepAlive: 0)),
            .publish(MQTTPacket.Publish(topicName: "a/b", payload: payload(""))),
            .publish(
                MQTTPacket.Publish(
                    topicName: "tenant/t/device/d/telemetry",
                    payload: payload(#"{"t":21.5}"#),
                    qos: .atLeastOnce,
                    retain: true,
                    dup: true,
                    packetIdentifier: 0xFFFF,
                    properties: publishProperties
                )
            ),
            .publish(MQTTPacket.Publish(topicName: "x", payload: payload("y"), qos: .exactlyOnce, packetIdentifier: 1)),
            .puback(MQTTPacket.PubAck(packetIdentifier: 1)),
            .pubrec(MQTTPacket.PubRec(packetIdentifier: 2)),
            .pubrel(MQTTPacket.PubRel(packetIdentifier: 3)),
            .pubcomp(MQTTPacket.PubComp(packetIdentifier: 4)),
            .subscribe(
                MQTTPacket.Subscribe(
                    packetIdentifier: 7,
                    subscriptions: [
                        MQTTPacket.Subscription(topicFilter: "sport/#", options: .init(qos: .exactlyOnce)),
                        MQTTPacket.Subscription(topicFilter: "+/tennis/+", options: .init(qos: .atLeastOnce)),
                        MQTTPacket.Subscription(topicFilter: "$share/g/a/b"),
                    ],
                    properties: props(.subscribe)
                )
            ),
            .unsubscribe(
                MQTTPacket.Unsubscribe(packetIdentifier: 8, topicFilters: ["sport/#", "a/b"], properties: props(.unsubscribe))
            ),
            .pingreq,
            .disconnect(MQTTPacket.Disconnect()),
        ]
        if isV5 {
            packets += [
                .publish(MQTTPacket.Publish(topicName: "", payload: payload("aliased"), properties: topicAlias(5))),
                .puback(MQTTPacket.PubAck(packetIdentifier: 9, reasonCode: .noMatchingSubscribers, properties: props(.puback))),
                .puback(MQTTPacket.PubAck(packetIdentifier: 10, reasonCode: .quotaExceeded)),
                .pubrec(MQTTPacket.PubRec(packetIdentifier: 11, reasonCode: .unspecifiedError, properties: props(.pubrec))),
                .pubrel(MQTTPacket.PubRel(packetIdentifier: 12, reasonCode: .packetIdentifierNotFound, properties: props(.pubrel))),
                .pubcomp(MQTTPacket.PubComp(packetIdentifier: 13, properties: props(.pubcomp))),
                .subscribe(
                    MQTTPacket.Subscribe(
                        packetIdentifier: 14,
                        subscriptions: [
                            MQTTPacket.Subscription(
                                topicFilter: "a/+",
                                options: .init(
                                    qos: .atLeastOnce,
                                    noLocal: true,
                                    retainAsPublished: true,
                                    retainHandling: .doNotSend
                                )
                            ),
                            MQTTPacket.Subscription(topicFilter: "b", options: .init(retainHandling: .sendOnNewSubscription)),
                        ]
                    )
                ),
                .disconnect(MQTTPacket.Disconnect(reasonCode: .disconnectWithWillMessage)),
                .disconnect(MQTTPacket.Disconnect(reasonCode: .normalDisconnection, properties: props(.disconnect))),
                .auth(MQTTPacket.Auth(reasonCode: .continueAuthentication, properties: props(.auth))),
                .auth(MQTTPacket.Auth()),
            ]
        }
        return packets
    }

    /// What a server sends, with every property the packet allows in 5.0.
    static func serverPackets(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        let isV5 = version == .v5
        func props(_ context: MQTTProperties.Context) -> MQTTProperties {
            isV5 ? .all(for: context) : MQTTProperties()
        }
        var packets: [MQTTPacket] = [
            .connack(MQTTPacket.ConnAck(sessionPresent: true, properties: props(.connack))),
            .connack(MQTTPacket.ConnAck(reasonCode: .notAuthorized)),
            .connack(MQTTPacket.ConnAck(reasonCode: .badUserNameOrPassword)),
            .publish(
                MQTTPacket.Publish(
                    topicName: "$SYS/broker/uptime",
                    payload: payload("12"),
                    qos: .exactlyOnce,
                    packetIdentifier: 42,
                    properties: props(.publish)
                )
            ),
            .puback(MQTTPacket.PubAck(packetIdentifier: 1)),
            .pubrec(MQTTPacket.PubRec(packetIdentifier: 2)),
            .pubrel(MQTTPacket.PubRel(packetIdentifier: 3)),
            .pubcomp(MQTTPacket.PubComp(packetIdentifier: 4)),
            .suback(
                MQTTPacket.SubAck(
                    packetIdentifier: 7,
                    reasonCodes: [.grantedQoS2, .grantedQoS0, .grantedQoS1, .unspecifiedError],
                    properties: props(.suback)
                )
            ),
            .unsuback(MQTTPacket.UnsubAck(packetIdentifier: 8, reasonCodes: isV5 ? [.success, .noSubscriptionExisted] : [], properties: props(.unsuback))),
            .pingresp,
        ]
        if isV5 {
            packets += [
                .connack(MQTTPacket.ConnAck(reasonCode: .serverMoved, properties: props(.connack))),
                .suback(MQTTPacket.SubAck(packetIdentifier: 9, reasonCodes: [.wildcardSubscriptionsNotSupported, .quotaExceeded])),
                .disconnect(MQTTPacket.Disconnect(reasonCode: .sessionTakenOver, properties: props(.disconnect))),
                .auth(MQTTPacket.Auth(reasonCode: .success, properties: props(.auth))),
            ]
        }
        return packets
    }

    static func topicAlias(_ alias: UInt16) -> MQTTProperties {
        var properties = MQTTProperties()
        properties.topicAlias = alias
        return properties
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func clientPacketsRoundTrip(version: MQTTProtocolVersion) throws {
        for packet in Self.clientPackets(version) {
            let bytes = try Wire.encode(packet, version: version)
            #expect(try packet.encodedSize(version: version) == bytes.count)
            #expect(try Wire.decodeAll(bytes, with: Wire.server(version)) == [packet], "\(packet.type)")
        }
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func serverPacketsRoundTrip(version: MQTTProtocolVersion) throws {
        for packet in Self.serverPackets(version) {
            let bytes = try Wire.encode(packet, version: version)
            #expect(try packet.encodedSize(version: version) == bytes.count)
            #expect(try Wire.decodeAll(bytes, with: Wire.client(version)) == [packet], "\(packet.type)")
        }
    }

    @Test func everyPacketTypeIsCovered() {
        let v5Types = Set((Self.clientPackets(.v5) + Self.serverPackets(.v5)).map(\.type))
        let v311Types = Set((Self.clientPackets(.v311) + Self.serverPackets(.v311)).map(\.type))
        #expect(v5Types == Set(MQTTPacketType.allCases))
        #expect(v311Types == Set(MQTTPacketType.allCases).subtracting([.auth]))
    }

    @Test func everyPropertyIsCovered() {
        var seen = Set<MQTTProperties.Identifier>()
        for packet in Self.clientPackets(.v5) + Self.serverPackets(.v5) {
            for identifier in MQTTProperties.Identifier.allCases
            where packet.allProperties.contains(where: { $0.presentIdentifiers & identifier.bit != 0 }) {
                seen.insert(identifier)
            }
        }
        #expect(seen == Set(MQTTProperties.Identifier.allCases))
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func serverDecoderVerifiesByteAtATimeAndInBulk(version: MQTTProtocolVersion) throws {
        let pairs = try Self.clientPackets(version).map { packet in
            (Wire.buffer(try Wire.encode(packet, version: version)), [packet])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { Wire.server(version) }
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func clientDecoderVerifiesByteAtATimeAndInBulk(version: MQTTProtocolVersion) throws {
        let pairs = try Self.serverPackets(version).map { packet in
            (Wire.buffer(try Wire.encode(packet, version: version)), [packet])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { Wire.client(version) }
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func serverLearnsTheVersionFromConnect(version: MQTTProtocolVersion) throws {
        let packets = Self.clientPackets(version)
        let stream = try packets.flatMap { try Wire.encode($0, version: version) }
        var decoder = MQTTDecoder()
        #expect(decoder.protocolVersion == nil)
        var buffer = Wire.buffer(stream)
        var decoded: [MQTTPacket] = []
        while let packet = try decoder.decodePacket(from: &buffer) { decoded.append(packet) }
        #expect(decoded == packets)
        #expect(decoder.protocolVersion == version)
    }

    @Test func encoderHandlerWritesWhatTheDecoderReads() throws {
        let encoder = MQTTEncoder(protocolVersion: .v5)
        var out = ByteBuffer()
        let packet = MQTTPacket.suback(MQTTPacket.SubAck(packetIdentifier: 5, reasonCodes: [.grantedQoS1]))
        try encoder.encode(data: packet, out: &out)
        #expect(Wire.bytes(out) == [0x90, 0x04, 0x00, 0x05, 0x00, 0x01])
    }
}

extension MQTTPacket {
    /// Every property list the packet carries (the will's included).
    var allProperties: [MQTTProperties] {
        switch self {
        case .connect(let connect): [connect.properties] + (connect.will.map { [$0.properties] } ?? [])
        case .connack(let connack): [connack.properties]
        case .publish(let publish): [publish.properties]
        case .puback(let response), .pubrec(let response), .pubrel(let response), .pubcomp(let response):
            [response.properties]
        case .subscribe(let subscribe): [subscribe.properties]
        case .suback(let suback): [suback.properties]
        case .unsubscribe(let unsubscribe): [unsubscribe.properties]
        case .unsuback(let unsuback): [unsuback.properties]
        case .pingreq, .pingresp: []
        case .disconnect(let disconnect): [disconnect.properties]
        case .auth(let auth): [auth.properties]
        }
    }
}
