extension MQTTPacket {
    /// CONNACK: the server accepts or refuses a CONNECT (§3.2).
    public struct ConnAck: Sendable, Hashable {
        /// Whether the server resumed a stored session; always `false` on a refusal.
        public var sessionPresent: Bool
        /// ``MQTTReasonCode/success`` or a refusal; 3.1.1 carries it as a return code (0–5).
        public var reasonCode: MQTTReasonCode
        public var properties: MQTTProperties

        public init(
            sessionPresent: Bool = false,
            reasonCode: MQTTReasonCode = .success,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.sessionPresent = sessionPresent
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
