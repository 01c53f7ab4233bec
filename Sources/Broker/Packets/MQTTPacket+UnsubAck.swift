extension MQTTPacket {
    /// UNSUBACK: the server's answer to UNSUBSCRIBE (§3.11).
    public struct UnsubAck: Sendable, Hashable {
        public var packetIdentifier: UInt16
        /// One per topic filter in 5.0; 3.1.1 has none (and the encoder leaves them out).
        public var reasonCodes: [MQTTReasonCode]
        public var properties: MQTTProperties

        public init(
            packetIdentifier: UInt16,
            reasonCodes: [MQTTReasonCode] = [],
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.packetIdentifier = packetIdentifier
            self.reasonCodes = reasonCodes
            self.properties = properties
        }
    }
}
