extension MQTTPacket {
    /// SUBACK: the server's answer to SUBSCRIBE, one reason code per topic filter, in order (§3.9).
    public struct SubAck: Sendable, Hashable {
        public var packetIdentifier: UInt16
        /// Granted QoS or a failure; 3.1.1 sends any failure as 0x80.
        public var reasonCodes: [MQTTReasonCode]
        public var properties: MQTTProperties

        public init(
            packetIdentifier: UInt16,
            reasonCodes: [MQTTReasonCode],
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.packetIdentifier = packetIdentifier
            self.reasonCodes = reasonCodes
            self.properties = properties
        }
    }
}
