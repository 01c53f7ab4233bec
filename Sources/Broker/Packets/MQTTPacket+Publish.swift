import NIOCore

extension MQTTPacket {
    /// PUBLISH: an application message, in either direction (§3.3).
    public struct Publish: Sendable, Hashable {
        /// A topic name without wildcards; empty only in 5.0 when ``MQTTProperties/topicAlias`` stands for it.
        public var topicName: String
        /// The payload, a slice of the received bytes when decoded (no copy).
        public var payload: ByteBuffer
        public var qos: MQTTQoS
        public var retain: Bool
        /// Set on a redelivery; never on QoS 0.
        public var dup: Bool
        /// Non-zero, present exactly when ``qos`` is above 0.
        public var packetIdentifier: UInt16?
        public var properties: MQTTProperties

        public init(
            topicName: String,
            payload: ByteBuffer,
            qos: MQTTQoS = .atMostOnce,
            retain: Bool = false,
            dup: Bool = false,
            packetIdentifier: UInt16? = nil,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.topicName = topicName
            self.payload = payload
            self.qos = qos
            self.retain = retain
            self.dup = dup
            self.packetIdentifier = packetIdentifier
            self.properties = properties
        }
    }
}
