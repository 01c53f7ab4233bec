extension MQTTPacket {
    /// DISCONNECT: the connection ends on purpose (§3.14); in 5.0 either side may send it, with a reason.
    public struct Disconnect: Sendable, Hashable {
        /// Ignored in 3.1.1.
        public var reasonCode: MQTTReasonCode
        public var properties: MQTTProperties

        public init(reasonCode: MQTTReasonCode = .normalDisconnection, properties: MQTTProperties = MQTTProperties()) {
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
