extension MQTTPacket {
    /// SUBSCRIBE: a client subscribes to one or more topic filters (§3.8).
    public struct Subscribe: Sendable, Hashable {
        public var packetIdentifier: UInt16
        /// At least one.
        public var subscriptions: [Subscription]
        /// Subscription identifier (at most one) and user properties.
        public var properties: MQTTProperties

        public init(
            packetIdentifier: UInt16,
            subscriptions: [Subscription],
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.packetIdentifier = packetIdentifier
            self.subscriptions = subscriptions
            self.properties = properties
        }
    }

    /// One topic filter of a SUBSCRIBE with its options.
    public struct Subscription: Sendable, Hashable {
        /// A topic filter, possibly a shared one (`$share/{name}/{filter}`).
        public var topicFilter: String
        public var options: SubscriptionOptions

        public init(topicFilter: String, options: SubscriptionOptions = SubscriptionOptions()) {
            self.topicFilter = topicFilter
            self.options = options
        }
    }

    /// The subscription options byte (§3.8.3.1); 3.1.1 has only the QoS.
    public struct SubscriptionOptions: Sendable, Hashable {
        /// The highest QoS the subscriber accepts.
        public var qos: MQTTQoS
        /// Do not send the subscriber its own publications (5.0; not on shared subscriptions).
        public var noLocal: Bool
        /// Forward RETAIN as published instead of clearing it (5.0).
        public var retainAsPublished: Bool
        /// When retained messages are sent on subscribing (5.0).
        public var retainHandling: RetainHandling

        public init(
            qos: MQTTQoS = .atMostOnce,
            noLocal: Bool = false,
            retainAsPublished: Bool = false,
            retainHandling: RetainHandling = .sendOnSubscribe
        ) {
            self.qos = qos
            self.noLocal = noLocal
            self.retainAsPublished = retainAsPublished
            self.retainHandling = retainHandling
        }
    }

    /// Whether retained messages are sent when a subscription is made.
    public enum RetainHandling: UInt8, Sendable, Hashable, CaseIterable {
        case sendOnSubscribe = 0
        /// Only if the subscription did not already exist.
        case sendOnNewSubscription = 1
        case doNotSend = 2
    }
}
