extension MQTTPacket {
    /// AUTH: one step of extended authentication, MQTT 5.0 only (§3.15).
    public struct Auth: Sendable, Hashable {
        /// Success, continue authentication or re-authenticate.
        public var reasonCode: MQTTReasonCode
        /// Authentication method and data, reason string, user properties.
        public var properties: MQTTProperties

        public init(reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = MQTTProperties()) {
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
