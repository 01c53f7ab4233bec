extension MQTTPacket {
    /// UNSUBSCRIBE: a client removes one or more subscriptions (§3.10).
    public struct Unsubscribe: Sendable, Hashable {
        public var packetIdentifier: UInt16
        /// At least one, exactly as subscribed.
        public var topicFilters: [String]
        public var properties: MQTTProperties

        public init(
            packetIdentifier: UInt16,
            topicFilters: [String],
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.packetIdentifier = packetIdentifier
            self.topicFilters = topicFilters
            self.properties = properties
        }
    }
}
