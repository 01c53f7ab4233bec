import NIOCore
import Testing

@testable import Broker

/// Shared helpers: bytes in and out of the codec.
enum Wire {
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }

    static func encode(_ packet: MQTTPacket, version: MQTTProtocolVersion) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeMQTTPacket(packet, version: version)
        return bytes(buffer)
    }

    /// A server decoder that has already seen CONNECT of `version`.
    static func server(_ version: MQTTProtocolVersion, maximumPacketSize: Int = MQTTDecoder.defaultMaximumPacketSize)
        -> MQTTDecoder
    {
        MQTTDecoder(role: .server, protocolVersion: version, maximumPacketSize: maximumPacketSize)
    }

    static func client(_ version: MQTTProtocolVersion) -> MQTTDecoder {
        MQTTDecoder(role: .client, protocolVersion: version)
    }

    /// Decodes every packet in `bytes`, insisting nothing is left over.
    static func decodeAll(_ bytes: [UInt8], with decoder: MQTTDecoder) throws(MQTTProtocolError) -> [MQTTPacket] {
        var decoder = decoder
        var buffer = buffer(bytes)
        var packets: [MQTTPacket] = []
        while let packet = try decoder.decodePacket(from: &buffer) {
            packets.append(packet)
        }
        #expect(buffer.readableBytes == 0, "bytes left undecoded")
        return packets
    }

    /// Decodes one packet from `bytes`.
    static func decodeOne(_ bytes: [UInt8], with decoder: MQTTDecoder) throws(MQTTProtocolError) -> MQTTPacket? {
        var decoder = decoder
        var buffer = buffer(bytes)
        return try decoder.decodePacket(from: &buffer)
    }

    /// Feeds `bytes` one at a time into one cumulating buffer, as a socket might, and returns how many
    /// prefixes decoded to `nil` before the decoder produced a packet or threw.
    static func dripFeed(
        _ bytes: [UInt8],
        with decoder: MQTTDecoder
    ) -> (nilPrefixes: Int, outcome: Result<MQTTPacket?, MQTTProtocolError>) {
        var decoder = decoder
        var buffer = ByteBuffer()
        var nilPrefixes = 0
        for byte in bytes {
            buffer.writeInteger(byte)
            do throws(MQTTProtocolError) {
                if let packet = try decoder.decodePacket(from: &buffer) { return (nilPrefixes, .success(packet)) }
                nilPrefixes += 1
            } catch {
                return (nilPrefixes, .failure(error))
            }
        }
        return (nilPrefixes, .success(nil))
    }

    /// The error decoding `bytes` throws, or `nil`.
    static func decodingError(_ bytes: [UInt8], with decoder: MQTTDecoder) -> MQTTProtocolError? {
        do throws(MQTTProtocolError) {
            _ = try decodeAll(bytes, with: decoder)
            return nil
        } catch {
            return error
        }
    }

    /// A minimal CONNECT of `version` for a fresh server decoder to start with.
    static func connect(_ version: MQTTProtocolVersion) throws -> [UInt8] {
        try encode(.connect(MQTTPacket.Connect(protocolVersion: version, clientIdentifier: "c")), version: version)
    }

    static func utf8(_ string: String) -> [UInt8] {
        let count = string.utf8.count
        return [UInt8(count >> 8), UInt8(count & 0xFF)] + Array(string.utf8)
    }
}

extension MQTTProperties {
    /// Every property `context` allows, each with a distinctive value; the repeatable ones twice.
    static func all(for context: Context, subscriptionIdentifiers: [Int] = [1, 268_435_455]) -> MQTTProperties {
        var properties = MQTTProperties()
        for identifier in Identifier.allCases where identifier.isAllowed(in: context) {
            switch identifier {
            case .payloadFormatIndicator: properties.payloadFormatIndicator = .utf8
            case .messageExpiryInterval: properties.messageExpiryInterval = 3600
            case .contentType: properties.contentType = "application/json"
            case .responseTopic: properties.responseTopic = "reply/to/me"
            case .correlationData: properties.correlationData = ByteBuffer(bytes: [0, 1, 2, 0xFF])
            case .subscriptionIdentifier:
                properties.subscriptionIdentifiers = context == .publish ? subscriptionIdentifiers : [16_384]
            case .sessionExpiryInterval: properties.sessionExpiryInterval = 0xFFFF_FFFF
            case .assignedClientIdentifier: properties.assignedClientIdentifier = "auto-7f3a"
            case .serverKeepAlive: properties.serverKeepAlive = 120
            case .authenticationMethod: properties.authenticationMethod = "SCRAM-SHA-1"
            case .authenticationData: properties.authenticationData = ByteBuffer(bytes: [9, 8, 7])
            case .requestProblemInformation: properties.requestProblemInformation = false
            case .willDelayInterval: properties.willDelayInterval = 30
            case .requestResponseInformation: properties.requestResponseInformation = true
            case .responseInformation: properties.responseInformation = "responses/"
            case .serverReference: properties.serverReference = "other.example:1883"
            case .reasonString: properties.reasonString = "because ✓"
            case .receiveMaximum: properties.receiveMaximum = 20
            case .topicAliasMaximum: properties.topicAliasMaximum = 10
            case .topicAlias: properties.topicAlias = 3
            case .maximumQoS: properties.maximumQoS = .atLeastOnce
            case .retainAvailable: properties.retainAvailable = false
            case .userProperty:
                properties.userProperties = [
                    UserProperty(name: "k", value: "2"), UserProperty(name: "a", value: "1"),
                    UserProperty(name: "k", value: "1"),
                ]
            case .maximumPacketSize: properties.maximumPacketSize = 65_536
            case .wildcardSubscriptionAvailable: properties.wildcardSubscriptionAvailable = true
            case .subscriptionIdentifierAvailable: properties.subscriptionIdentifierAvailable = false
            case .sharedSubscriptionAvailable: properties.sharedSubscriptionAvailable = true
            }
        }
        return properties
    }
}
