/// Every reason code of MQTT 5.0 (§2.4), the outcome a CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK,
/// UNSUBACK, DISCONNECT or AUTH reports. Values below 0x80 are successes, the rest failures.
///
/// Value 0x00 has a different name per packet; ``normalDisconnection`` and ``grantedQoS0`` are aliases of
/// ``success``. MQTT 3.1.1 has no reason codes but CONNACK return codes and SUBACK's 0x80; the codec maps
/// them (see ``init(v311ConnectReturnCode:)`` and ``v311ConnectReturnCode``).
public enum MQTTReasonCode: UInt8, Sendable, Hashable, CaseIterable {
    case success = 0x00
    case grantedQoS1 = 0x01
    case grantedQoS2 = 0x02
    case disconnectWithWillMessage = 0x04
    case noMatchingSubscribers = 0x10
    case noSubscriptionExisted = 0x11
    case continueAuthentication = 0x18
    case reAuthenticate = 0x19
    case unspecifiedError = 0x80
    case malformedPacket = 0x81
    case protocolError = 0x82
    case implementationSpecificError = 0x83
    case unsupportedProtocolVersion = 0x84
    case clientIdentifierNotValid = 0x85
    case badUserNameOrPassword = 0x86
    case notAuthorized = 0x87
    case serverUnavailable = 0x88
    case serverBusy = 0x89
    case banned = 0x8A
    case serverShuttingDown = 0x8B
    case badAuthenticationMethod = 0x8C
    case keepAliveTimeout = 0x8D
    case sessionTakenOver = 0x8E
    case topicFilterInvalid = 0x8F
    case topicNameInvalid = 0x90
    case packetIdentifierInUse = 0x91
    case packetIdentifierNotFound = 0x92
    case receiveMaximumExceeded = 0x93
    case topicAliasInvalid = 0x94
    case packetTooLarge = 0x95
    case messageRateTooHigh = 0x96
    case quotaExceeded = 0x97
    case administrativeAction = 0x98
    case payloadFormatInvalid = 0x99
    case retainNotSupported = 0x9A
    case qosNotSupported = 0x9B
    case useAnotherServer = 0x9C
    case serverMoved = 0x9D
    case sharedSubscriptionsNotSupported = 0x9E
    case connectionRateExceeded = 0x9F
    case maximumConnectTime = 0xA0
    case subscriptionIdentifiersNotSupported = 0xA1
    case wildcardSubscriptionsNotSupported = 0xA2

    /// 0x00 in DISCONNECT.
    public static let normalDisconnection = MQTTReasonCode.success
    /// 0x00 in SUBACK.
    public static let grantedQoS0 = MQTTReasonCode.success

    /// Whether the code reports a failure (0x80 and above).
    public var isFailure: Bool { rawValue >= 0x80 }

    /// The SUBACK code that grants `qos`.
    public static func granted(_ qos: MQTTQoS) -> MQTTReasonCode {
        switch qos {
        case .atMostOnce: .grantedQoS0
        case .atLeastOnce: .grantedQoS1
        case .exactlyOnce: .grantedQoS2
        }
    }

    /// Whether MQTT 5.0 lets `type` carry this code; a peer sending any other is a protocol error.
    public func isAllowed(in type: MQTTPacketType) -> Bool {
        switch type {
        case .connack:
            switch self {
            case .success, .unspecifiedError, .malformedPacket, .protocolError, .implementationSpecificError,
                .unsupportedProtocolVersion, .clientIdentifierNotValid, .badUserNameOrPassword, .notAuthorized,
                .serverUnavailable, .serverBusy, .banned, .badAuthenticationMethod, .topicNameInvalid,
                .packetTooLarge, .quotaExceeded, .payloadFormatInvalid, .retainNotSupported, .qosNotSupported,
                .useAnotherServer, .serverMoved, .connectionRateExceeded:
                true
            default: false
            }
        case .puback, .pubrec:
            switch self {
            case .success, .noMatchingSubscribers, .unspecifiedError, .implementationSpecificError, .notAuthorized,
                .topicNameInvalid, .packetIdentifierInUse, .quotaExceeded, .payloadFormatInvalid:
                true
            default: false
            }
        case .pubrel, .pubcomp:
            self == .success || self == .packetIdentifierNotFound
        case .suback:
            switch self {
            case .success, .grantedQoS1, .grantedQoS2, .unspecifiedError, .implementationSpecificError,
                .notAuthorized, .topicFilterInvalid, .packetIdentifierInUse, .quotaExceeded,
                .sharedSubscriptionsNotSupported, .subscriptionIdentifiersNotSupported,
                .wildcardSubscriptionsNotSupported:
                true
            default: false
            }
        case .unsuback:
            switch self {
            case .success, .noSubscriptionExisted, .unspecifiedError, .implementationSpecificError, .notAuthorized,
                .topicFilterInvalid, .packetIdentifierInUse:
                true
            default: false
            }
        case .disconnect:
            switch self {
            case .grantedQoS1, .grantedQoS2, .noMatchingSubscribers, .noSubscriptionExisted, .continueAuthentication,
                .reAuthenticate, .unsupportedProtocolVersion, .clientIdentifierNotValid, .badUserNameOrPassword,
                .serverUnavailable, .banned, .badAuthenticationMethod, .packetIdentifierNotFound:
                false
            default: true
            }
        case .auth:
            self == .success || self == .continueAuthentication || self == .reAuthenticate
        case .connect, .publish, .subscribe, .unsubscribe, .pingreq, .pingresp:
            false
        }
    }
}

extension MQTTReasonCode {
    /// The reason code a 3.1.1 CONNACK return code stands for, or `nil` for the reserved values 6–255.
    public init?(v311ConnectReturnCode code: UInt8) {
        switch code {
        case 0: self = .success
        case 1: self = .unsupportedProtocolVersion
        case 2: self = .clientIdentifierNotValid
        case 3: self = .serverUnavailable
        case 4: self = .badUserNameOrPassword
        case 5: self = .notAuthorized
        default: return nil
        }
    }

    /// The 3.1.1 CONNACK return code closest to this reason code.
    ///
    /// 3.1.1 has five refusals; a 5.0 refusal without a counterpart becomes 0x03 (server unavailable),
    /// the one that tells a 3.1.1 client to try again later rather than to change its credentials.
    public var v311ConnectReturnCode: UInt8 {
        switch self {
        case .success: 0
        case .unsupportedProtocolVersion: 1
        case .clientIdentifierNotValid: 2
        case .badUserNameOrPassword, .badAuthenticationMethod: 4
        case .notAuthorized, .banned: 5
        default: 3
        }
    }

    /// The 3.1.1 SUBACK return code: the granted QoS, or 0x80 for any failure.
    public var v311SubscribeReturnCode: UInt8 {
        switch self {
        case .success, .grantedQoS1, .grantedQoS2: rawValue
        default: 0x80
        }
    }
}
