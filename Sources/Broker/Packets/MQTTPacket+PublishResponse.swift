extension MQTTPacket {
    /// PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4–3.7): the four share one layout, a packet identifier and,
    /// in 5.0, a reason code and properties that may be left out when they are success and empty.
    public struct PublishResponse: Sendable, Hashable {
        public var packetIdentifier: UInt16
        /// Ignored in 3.1.1, which has no reason codes here.
        public var reasonCode: MQTTReasonCode
        public var properties: MQTTProperties

        public init(
            packetIdentifier: UInt16,
            reasonCode: MQTTReasonCode = .success,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.packetIdentifier = packetIdentifier
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }

    /// PUBACK: QoS 1 delivery acknowledged.
    public typealias PubAck = PublishResponse
    /// PUBREC: QoS 2 delivery, part 1, received.
    public typealias PubRec = PublishResponse
    /// PUBREL: QoS 2 delivery, part 2, released.
    public typealias PubRel = PublishResponse
    /// PUBCOMP: QoS 2 delivery, part 3, complete.
    public typealias PubComp = PublishResponse
}
