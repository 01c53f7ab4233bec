extension MQTTProperties {
    /// A property identifier of MQTT 5.0 (§2.2.2.2).
    public enum Identifier: UInt8, Sendable, Hashable, CaseIterable {
        case payloadFormatIndicator = 0x01
        case messageExpiryInterval = 0x02
        case contentType = 0x03
        case responseTopic = 0x08
        case correlationData = 0x09
        case subscriptionIdentifier = 0x0B
        case sessionExpiryInterval = 0x11
        case assignedClientIdentifier = 0x12
        case serverKeepAlive = 0x13
        case authenticationMethod = 0x15
        case authenticationData = 0x16
        case requestProblemInformation = 0x17
        case willDelayInterval = 0x18
        case requestResponseInformation = 0x19
        case responseInformation = 0x1A
        case serverReference = 0x1C
        case reasonString = 0x1F
        case receiveMaximum = 0x21
        case topicAliasMaximum = 0x22
        case topicAlias = 0x23
        case maximumQoS = 0x24
        case retainAvailable = 0x25
        case userProperty = 0x26
        case maximumPacketSize = 0x27
        case wildcardSubscriptionAvailable = 0x28
        case subscriptionIdentifierAvailable = 0x29
        case sharedSubscriptionAvailable = 0x2A

        /// How the property's value is encoded on the wire.
        public var dataType: DataType {
            switch self {
            case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
                .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable,
                .sharedSubscriptionAvailable:
                .byte
            case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias:
                .twoByteInteger
            case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize:
                .fourByteInteger
            case .subscriptionIdentifier:
                .variableByteInteger
            case .contentType, .responseTopic, .assignedClientIdentifier, .authenticationMethod,
                .responseInformation, .serverReference, .reasonString:
                .utf8String
            case .correlationData, .authenticationData:
                .binaryData
            case .userProperty:
                .utf8StringPair
            }
        }

        /// The packets (and the will) that may carry the property.
        public var allowedContexts: Contexts {
            switch self {
            case .payloadFormatIndicator, .messageExpiryInterval, .contentType, .responseTopic, .correlationData:
                [.publish, .will]
            case .subscriptionIdentifier: [.publish, .subscribe]
            case .sessionExpiryInterval: [.connect, .connack, .disconnect]
            case .assignedClientIdentifier, .serverKeepAlive, .responseInformation, .maximumQoS, .retainAvailable,
                .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable, .sharedSubscriptionAvailable:
                [.connack]
            case .authenticationMethod, .authenticationData: [.connect, .connack, .auth]
            case .requestProblemInformation, .requestResponseInformation: [.connect]
            case .willDelayInterval: [.will]
            case .serverReference: [.connack, .disconnect]
            case .reasonString:
                [.connack, .puback, .pubrec, .pubrel, .pubcomp, .suback, .unsuback, .disconnect, .auth]
            case .receiveMaximum, .topicAliasMaximum, .maximumPacketSize: [.connect, .connack]
            case .topicAlias: [.publish]
            case .userProperty: .all
            }
        }

        /// Whether `context` may carry the property.
        public func isAllowed(in context: Context) -> Bool {
            allowedContexts.contains(Contexts(context))
        }

        /// Whether the property may appear more than once in `context`.
        public func isRepeatable(in context: Context) -> Bool {
            self == .userProperty || (self == .subscriptionIdentifier && context == .publish)
        }

        var bit: UInt64 { 1 << UInt64(rawValue) }
    }

    /// The wire encodings of property values (§1.5).
    public enum DataType: Sendable, Hashable {
        case byte
        case twoByteInteger
        case fourByteInteger
        case variableByteInteger
        case utf8String
        case utf8StringPair
        case binaryData
    }

    /// Where a property list appears: a packet type, or the will properties inside CONNECT.
    public enum Context: UInt8, Sendable, Hashable, CaseIterable {
        case connect, connack, publish, will, puback, pubrec, pubrel, pubcomp
        case subscribe, suback, unsubscribe, unsuback, disconnect, auth
    }

    /// A set of ``Context``s.
    public struct Contexts: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16

        public init(rawValue: UInt16) {
            self.rawValue = rawValue
        }

        public init(_ context: Context) {
            self.rawValue = 1 << UInt16(context.rawValue)
        }

        public static let connect = Contexts(.connect)
        public static let connack = Contexts(.connack)
        public static let publish = Contexts(.publish)
        public static let will = Contexts(.will)
        public static let puback = Contexts(.puback)
        public static let pubrec = Contexts(.pubrec)
        public static let pubrel = Contexts(.pubrel)
        public static let pubcomp = Contexts(.pubcomp)
        public static let subscribe = Contexts(.subscribe)
        public static let suback = Contexts(.suback)
        public static let unsubscribe = Contexts(.unsubscribe)
        public static let unsuback = Contexts(.unsuback)
        public static let disconnect = Contexts(.disconnect)
        public static let auth = Contexts(.auth)
        public static let all = Contexts(rawValue: (1 << 14) - 1)
    }

    /// One bit (`1 << identifier`) per property present.
    var presentIdentifiers: UInt64 {
        var bits: UInt64 = 0
        func mark(_ present: Bool, _ identifier: Identifier) {
            if present { bits |= identifier.bit }
        }
        mark(payloadFormatIndicator != nil, .payloadFormatIndicator)
        mark(messageExpiryInterval != nil, .messageExpiryInterval)
        mark(contentType != nil, .contentType)
        mark(responseTopic != nil, .responseTopic)
        mark(correlationData != nil, .correlationData)
        mark(!subscriptionIdentifiers.isEmpty, .subscriptionIdentifier)
        mark(sessionExpiryInterval != nil, .sessionExpiryInterval)
        mark(assignedClientIdentifier != nil, .assignedClientIdentifier)
        mark(serverKeepAlive != nil, .serverKeepAlive)
        mark(authenticationMethod != nil, .authenticationMethod)
        mark(authenticationData != nil, .authenticationData)
        mark(requestProblemInformation != nil, .requestProblemInformation)
        mark(willDelayInterval != nil, .willDelayInterval)
        mark(requestResponseInformation != nil, .requestResponseInformation)
        mark(responseInformation != nil, .responseInformation)
        mark(serverReference != nil, .serverReference)
        mark(reasonString != nil, .reasonString)
        mark(receiveMaximum != nil, .receiveMaximum)
        mark(topicAliasMaximum != nil, .topicAliasMaximum)
        mark(topicAlias != nil, .topicAlias)
        mark(maximumQoS != nil, .maximumQoS)
        mark(retainAvailable != nil, .retainAvailable)
        mark(!userProperties.isEmpty, .userProperty)
        mark(maximumPacketSize != nil, .maximumPacketSize)
        mark(wildcardSubscriptionAvailable != nil, .wildcardSubscriptionAvailable)
        mark(subscriptionIdentifierAvailable != nil, .subscriptionIdentifierAvailable)
        mark(sharedSubscriptionAvailable != nil, .sharedSubscriptionAvailable)
        return bits
    }
}

extension MQTTProperties.Context {
    /// The property context of a packet type, or `nil` for PINGREQ and PINGRESP, which have no properties;
    /// CONNECT's will properties use ``will`` instead.
    init?(_ type: MQTTPacketType) {
        switch type {
        case .connect: self = .connect
        case .connack: self = .connack
        case .publish: self = .publish
        case .puback: self = .puback
        case .pubrec: self = .pubrec
        case .pubrel: self = .pubrel
        case .pubcomp: self = .pubcomp
        case .subscribe: self = .subscribe
        case .suback: self = .suback
        case .unsubscribe: self = .unsubscribe
        case .unsuback: self = .unsuback
        case .disconnect: self = .disconnect
        case .auth: self = .auth
        case .pingreq, .pingresp: return nil
        }
    }
}
