import NIOCore

extension MQTTPacket {
    /// CONNECT: a client opens a session (§3.1).
    public struct Connect: Sendable, Hashable {
        /// The protocol level the client asks for; it decides the layout of every later packet.
        public var protocolVersion: MQTTProtocolVersion
        /// May be empty (the server then assigns one, or refuses).
        public var clientIdentifier: String
        /// Clean Start (5.0) or Clean Session (3.1.1).
        public var cleanStart: Bool
        /// Seconds between control packets the client promises; 0 turns keep-alive off.
        public var keepAlive: UInt16
        public var username: String?
        /// Binary data; in 3.1.1 only together with a user name.
        public var password: ByteBuffer?
        public var will: Will?
        public var properties: MQTTProperties

        public init(
            protocolVersion: MQTTProtocolVersion = .v5,
            clientIdentifier: String,
            cleanStart: Bool = true,
            keepAlive: UInt16 = 60,
            username: String? = nil,
            password: ByteBuffer? = nil,
            will: Will? = nil,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.protocolVersion = protocolVersion
            self.clientIdentifier = clientIdentifier
            self.cleanStart = cleanStart
            self.keepAlive = keepAlive
            self.username = username
            self.password = password
            self.will = will
            self.properties = properties
        }
    }
}

extension MQTTPacket.Connect {
    /// The message the server publishes when the connection ends without a DISCONNECT.
    public struct Will: Sendable, Hashable {
        /// A topic name: no wildcards.
        public var topic: String
        public var payload: ByteBuffer
        public var qos: MQTTQoS
        public var retain: Bool
        /// Will properties (5.0): will delay, payload format, expiry, content type, response topic,
        /// correlation data, user properties.
        public var properties: MQTTProperties

        public init(
            topic: String,
            payload: ByteBuffer,
            qos: MQTTQoS = .atMostOnce,
            retain: Bool = false,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
            self.properties = properties
        }
    }
}
