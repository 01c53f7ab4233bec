import NIOCore

/// The properties of an MQTT 5.0 packet (§2.2.2), one typed field per property identifier.
///
/// A property is present when its field is non-`nil` (or, for the repeatable ones, non-empty). Which
/// properties a packet may carry is checked when decoding and encoding (``Identifier/isAllowed(in:)``);
/// in MQTT 3.1.1 packets carry none and the encoder leaves them out, which is what fanning a 5.0 message
/// out to a 3.1.1 subscriber needs.
public struct MQTTProperties: Sendable, Hashable {
    /// 0x01: whether the payload is UTF-8 text (PUBLISH, will).
    public var payloadFormatIndicator: MQTTPayloadFormat?
    /// 0x02: seconds the message lives (PUBLISH, will).
    public var messageExpiryInterval: UInt32?
    /// 0x03: MIME type of the payload (PUBLISH, will).
    public var contentType: String?
    /// 0x08: topic name for a response (PUBLISH, will).
    public var responseTopic: String?
    /// 0x09: correlates a response with its request (PUBLISH, will).
    public var correlationData: ByteBuffer?
    /// 0x0B: the identifiers of the subscriptions a message matched (PUBLISH to a client may repeat it);
    /// at most one in SUBSCRIBE. Each is 1...268,435,455.
    public var subscriptionIdentifiers: [Int]
    /// 0x11: seconds the session outlives the connection (CONNECT, CONNACK, DISCONNECT).
    public var sessionExpiryInterval: UInt32?
    /// 0x12: the client identifier the server chose (CONNACK).
    public var assignedClientIdentifier: String?
    /// 0x13: the keep-alive the server imposes (CONNACK).
    public var serverKeepAlive: UInt16?
    /// 0x15: name of the extended authentication method (CONNECT, CONNACK, AUTH).
    public var authenticationMethod: String?
    /// 0x16: data of the extended authentication exchange (CONNECT, CONNACK, AUTH).
    public var authenticationData: ByteBuffer?
    /// 0x17: whether the server may send reason strings and user properties on failures (CONNECT).
    public var requestProblemInformation: Bool?
    /// 0x18: seconds the server waits before publishing the will (will).
    public var willDelayInterval: UInt32?
    /// 0x19: whether the client wants response information in CONNACK (CONNECT).
    public var requestResponseInformation: Bool?
    /// 0x1A: basis for response topics (CONNACK).
    public var responseInformation: String?
    /// 0x1C: another server the client should use (CONNACK, DISCONNECT).
    public var serverReference: String?
    /// 0x1F: human-readable diagnostic (acknowledgements, DISCONNECT, AUTH).
    public var reasonString: String?
    /// 0x21: how many QoS 1 and 2 publications the sender accepts at once (CONNECT, CONNACK); never 0.
    public var receiveMaximum: UInt16?
    /// 0x22: the highest topic alias the sender accepts (CONNECT, CONNACK).
    public var topicAliasMaximum: UInt16?
    /// 0x23: stands for the topic name (PUBLISH); never 0.
    public var topicAlias: UInt16?
    /// 0x24: the highest QoS the server supports, 0 or 1 (CONNACK).
    public var maximumQoS: MQTTQoS?
    /// 0x25: whether the server keeps retained messages (CONNACK).
    public var retainAvailable: Bool?
    /// 0x26: name–value pairs in the order sent; names may repeat (every packet with properties).
    public var userProperties: [UserProperty]
    /// 0x27: the largest packet the sender accepts, in bytes (CONNECT, CONNACK); never 0.
    public var maximumPacketSize: UInt32?
    /// 0x28: whether the server supports wildcard subscriptions (CONNACK).
    public var wildcardSubscriptionAvailable: Bool?
    /// 0x29: whether the server supports subscription identifiers (CONNACK).
    public var subscriptionIdentifierAvailable: Bool?
    /// 0x2A: whether the server supports shared subscriptions (CONNACK).
    public var sharedSubscriptionAvailable: Bool?

    /// One user property (0x26): a UTF-8 string pair.
    public struct UserProperty: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// No properties.
    public init() {
        self.subscriptionIdentifiers = []
        self.userProperties = []
    }

    /// Whether no property is present.
    public var isEmpty: Bool {
        self.presentIdentifiers == 0
    }
}
