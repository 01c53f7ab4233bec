/// Everything the MQTT codec refuses, each case carrying the offending value.
///
/// ``reasonCode`` is what the broker should answer with: in a CONNACK while the connection is not yet
/// accepted, in a DISCONNECT (5.0) afterwards; a 3.1.1 connection is simply closed, except that
/// ``unsupportedProtocolVersion(level:)`` earns CONNACK return code 0x01 in any version.
public enum MQTTProtocolError: Error, Sendable, Hashable {
    /// The packet (fixed header included) is larger than the limit; detected from the fixed header alone.
    case packetTooLarge(size: Int, limit: Int)
    /// A variable byte integer uses five bytes, or more bytes than its value needs.
    case invalidVariableByteInteger(bytes: [UInt8])
    /// Packet type 0, or 15 (AUTH) in MQTT 3.1.1.
    case reservedPacketType(UInt8)
    /// Bits 3–0 of the fixed header are not what the packet type requires (or DUP is set on QoS 0).
    case invalidFixedHeaderFlags(MQTTPacketType, flags: UInt8)
    /// The remaining length ends before the packet's fields do.
    case truncatedPacket(MQTTPacketType?)
    /// Bytes are left over after the packet's last field.
    case trailingBytes(MQTTPacketType, count: Int)
    /// A UTF-8 string is not well-formed UTF-8 (surrogates included), MQTT-1.5.4-1.
    case invalidUTF8(bytes: [UInt8])
    /// A UTF-8 string contains U+0000, MQTT-1.5.4-2.
    case nullCharacter(String)
    /// A string or binary field is longer than 65,535 bytes and cannot be encoded.
    case fieldTooLong(bytes: Int)

    /// A server's first packet from a client is not CONNECT.
    case firstPacketNotConnect(MQTTPacketType)
    /// The packet never travels in this direction (a server receiving CONNACK, a client receiving SUBSCRIBE).
    case unexpectedPacket(MQTTPacketType)
    /// The packet does not exist in the connection's protocol version (AUTH in 3.1.1).
    case packetNotInVersion(MQTTPacketType, MQTTProtocolVersion)
    /// CONNECT names a protocol other than `MQTT`.
    case invalidProtocolName(String)
    /// CONNECT asks for a protocol level other than 4 (3.1.1) or 5 (5.0); 3.1's `MQIsdp`/3 included.
    case unsupportedProtocolVersion(level: UInt8)
    /// CONNECT flags are inconsistent: reserved bit set, will QoS or retain without the will flag, or a
    /// password without a user name in 3.1.1.
    case invalidConnectFlags(UInt8)
    /// CONNACK's reserved acknowledge flags are set, or a refusal claims a present session.
    case invalidConnAckFlags(UInt8)
    /// A QoS of 3 (PUBLISH, will, subscription options).
    case invalidQoS(UInt8)
    /// A packet identifier of 0 where one is required.
    case zeroPacketIdentifier(MQTTPacketType)
    /// A packet that needs a packet identifier (QoS > 0) is encoded without one.
    case missingPacketIdentifier(MQTTPacketType)
    /// The reason code is not one the packet type may carry.
    case invalidReasonCode(UInt8, MQTTPacketType)
    /// A topic name breaks the rules of §4.7.
    case invalidTopicName(String, MQTTTopicProblem)
    /// A topic filter breaks the rules of §4.7 / §4.8.2.
    case invalidTopicFilter(String, MQTTTopicProblem)
    /// SUBSCRIBE or UNSUBSCRIBE without a topic filter, or SUBACK or UNSUBACK without a reason code.
    case emptyPayload(MQTTPacketType)
    /// Reserved bits of a subscription options byte are set.
    case invalidSubscriptionOptions(UInt8)
    /// Retain handling 3 in a subscription options byte.
    case invalidRetainHandling(UInt8)
    /// No Local set on a shared subscription, MQTT-3.8.3-4.
    case noLocalOnSharedSubscription(String)
    /// A property identifier MQTT 5.0 does not define.
    case unknownProperty(identifier: Int)
    /// A property the packet (or the will) may not carry.
    case propertyNotAllowed(MQTTProperties.Identifier, in: MQTTProperties.Context)
    /// A property that may appear once appears again.
    case duplicateProperty(MQTTProperties.Identifier)
    /// A property value outside its range (topic alias 0, receive maximum 0, a boolean byte of 2, …).
    case invalidPropertyValue(MQTTProperties.Identifier, value: Int)
    /// Authentication data without an authentication method.
    case authenticationDataWithoutMethod
    /// The payload format indicator says UTF-8 but the payload is not valid UTF-8.
    case invalidPayloadFormat

    /// The reason code the broker should send for this error (§2.4, §4.13).
    public var reasonCode: MQTTReasonCode {
        switch self {
        case .packetTooLarge: .packetTooLarge
        case .invalidVariableByteInteger, .reservedPacketType, .invalidFixedHeaderFlags, .truncatedPacket,
            .trailingBytes, .invalidUTF8, .nullCharacter, .invalidConnectFlags, .invalidConnAckFlags, .invalidQoS,
            .invalidSubscriptionOptions, .unknownProperty:
            .malformedPacket
        case .fieldTooLong: .implementationSpecificError
        case .firstPacketNotConnect, .unexpectedPacket, .packetNotInVersion, .zeroPacketIdentifier,
            .missingPacketIdentifier, .invalidReasonCode, .emptyPayload, .invalidRetainHandling,
            .noLocalOnSharedSubscription, .propertyNotAllowed, .duplicateProperty, .invalidPropertyValue,
            .authenticationDataWithoutMethod:
            .protocolError
        case .invalidProtocolName, .unsupportedProtocolVersion: .unsupportedProtocolVersion
        case .invalidTopicName(_, let problem):
            switch problem {
            case .tooManyLevels: .topicNameInvalid
            case .empty: .protocolError
            default: .malformedPacket
            }
        case .invalidTopicFilter(_, let problem):
            switch problem {
            case .tooManyLevels: .topicFilterInvalid
            default: .malformedPacket
            }
        case .invalidPayloadFormat: .payloadFormatInvalid
        }
    }
}

extension MQTTProtocolError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .packetTooLarge(let size, let limit): "packet of \(size) bytes exceeds the limit of \(limit)"
        case .invalidVariableByteInteger(let bytes): "invalid variable byte integer \(hex(bytes))"
        case .reservedPacketType(let type): "reserved packet type \(type)"
        case .invalidFixedHeaderFlags(let type, let flags): "invalid fixed header flags \(binary(flags)) for \(type)"
        case .truncatedPacket(let type): "\(type.map { "\($0)" } ?? "packet") ends before its fields do"
        case .trailingBytes(let type, let count): "\(count) bytes left over after the fields of \(type)"
        case .invalidUTF8(let bytes): "ill-formed UTF-8 \(hex(bytes))"
        case .nullCharacter(let string): "string \(string.debugDescription) contains U+0000"
        case .fieldTooLong(let bytes): "a field of \(bytes) bytes exceeds the limit of 65535"
        case .firstPacketNotConnect(let type): "first packet is \(type), not CONNECT"
        case .unexpectedPacket(let type): "\(type) is never sent in this direction"
        case .packetNotInVersion(let type, let version): "\(type) does not exist in MQTT \(version)"
        case .invalidProtocolName(let name): "protocol name \(name.debugDescription) is not \"MQTT\""
        case .unsupportedProtocolVersion(let level): "unsupported protocol level \(level)"
        case .invalidConnectFlags(let flags): "invalid CONNECT flags \(binary(flags))"
        case .invalidConnAckFlags(let flags): "invalid CONNACK flags \(binary(flags))"
        case .invalidQoS(let qos): "invalid QoS \(qos)"
        case .zeroPacketIdentifier(let type): "\(type) has packet identifier 0"
        case .missingPacketIdentifier(let type): "\(type) needs a packet identifier"
        case .invalidReasonCode(let code, let type): "reason code 0x\(hex([code])) is not allowed in \(type)"
        case .invalidTopicName(let name, let problem): "invalid topic name \(name.debugDescription): \(problem)"
        case .invalidTopicFilter(let filter, let problem): "invalid topic filter \(filter.debugDescription): \(problem)"
        case .emptyPayload(let type): "\(type) has an empty payload"
        case .invalidSubscriptionOptions(let options): "reserved bits set in subscription options \(binary(options))"
        case .invalidRetainHandling(let value): "retain handling \(value)"
        case .noLocalOnSharedSubscription(let filter): "No Local on shared subscription \(filter.debugDescription)"
        case .unknownProperty(let identifier): "unknown property identifier \(identifier)"
        case .propertyNotAllowed(let identifier, let context): "property \(identifier) is not allowed in \(context)"
        case .duplicateProperty(let identifier): "property \(identifier) appears more than once"
        case .invalidPropertyValue(let identifier, let value): "property \(identifier) has invalid value \(value)"
        case .authenticationDataWithoutMethod: "authentication data without an authentication method"
        case .invalidPayloadFormat: "payload format indicator is UTF-8 but the payload is not"
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

private func binary(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 2)
    return "0b" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
