import NIOCore

/// How an ``MQTTClient`` connects: the CONNECT it sends and the limits it keeps.
public struct MQTTClientConfiguration: Sendable {
    /// The protocol level to speak; every later packet is laid out accordingly.
    public var protocolVersion: MQTTProtocolVersion
    /// Empty asks the server to assign one (5.0 reports it in ``MQTTClient/assignedClientIdentifier``).
    public var clientIdentifier: String
    /// Clean Start (5.0) or Clean Session (3.1.1).
    public var cleanStart: Bool
    /// Seconds of silence the client promises not to exceed; the client sends PINGREQ on its own when it
    /// has written nothing for half of it, and closes the connection when the PINGRESP is not back within
    /// the whole interval. 0 turns keep-alive off. A 5.0 server may impose another (Server Keep Alive).
    public var keepAlive: UInt16
    public var username: String?
    public var password: ByteBuffer?
    /// Published by the server when the connection ends without a normal DISCONNECT.
    public var will: MQTTPacket.Connect.Will?
    /// Seconds the server keeps the session after the connection ends (5.0); `nil` for 0.
    public var sessionExpiryInterval: UInt32?
    /// How many QoS 1 and 2 publications the client accepts from the server at once (5.0); `nil` for 65,535.
    public var receiveMaximum: UInt16?
    /// The largest packet the client accepts; announced in a 5.0 CONNECT and enforced by the decoder.
    public var maximumPacketSize: Int
    /// Further CONNECT properties (5.0): user properties, authentication method, request problem information, …
    /// Session expiry, receive maximum and maximum packet size are taken from the fields above.
    public var properties: MQTTProperties
    /// How long to wait for the TCP connection, and then for CONNACK, SUBACK and UNSUBACK.
    public var requestTimeout: TimeAmount
    /// The most QoS 1 and 2 publications in flight at once, whatever the server's Receive Maximum allows;
    /// the rest wait in the client until a slot frees.
    public var maximumInFlight: Int
    /// When set, called for every received PUBLISH on the connection's event loop, in order, instead of
    /// handing it to ``MQTTClient/messages`` (which then stays empty): no task is woken per message, which
    /// is what a load generator that only counts and timestamps needs. It must not block, and it runs
    /// after the acknowledgement is queued. `nil` (the default) uses ``MQTTClient/messages``.
    public var messageHandler: (@Sendable (MQTTPacket.Publish) -> Void)?
    /// Received PUBLISHes buffered for ``MQTTClient/messages`` before the client stops reading from the
    /// socket (and so, through TCP, slows the server down); reading resumes below half of it.
    public var messageBufferSize: Int

    public init(
        protocolVersion: MQTTProtocolVersion = .v5,
        clientIdentifier: String = "",
        cleanStart: Bool = true,
        keepAlive: UInt16 = 60,
        username: String? = nil,
        password: ByteBuffer? = nil,
        will: MQTTPacket.Connect.Will? = nil,
        sessionExpiryInterval: UInt32? = nil,
        receiveMaximum: UInt16? = nil,
        maximumPacketSize: Int = MQTTDecoder.defaultMaximumPacketSize,
        properties: MQTTProperties = MQTTProperties(),
        requestTimeout: TimeAmount = .seconds(10),
        maximumInFlight: Int = 65_000,
        messageBufferSize: Int = 4096,
        messageHandler: (@Sendable (MQTTPacket.Publish) -> Void)? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.clientIdentifier = clientIdentifier
        self.cleanStart = cleanStart
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.will = will
        self.sessionExpiryInterval = sessionExpiryInterval
        self.receiveMaximum = receiveMaximum
        self.maximumPacketSize = maximumPacketSize
        self.properties = properties
        self.requestTimeout = requestTimeout
        self.maximumInFlight = maximumInFlight
        self.messageBufferSize = messageBufferSize
        self.messageHandler = messageHandler
    }

    /// The CONNECT packet this configuration sends.
    var connectPacket: MQTTPacket.Connect {
        var properties = self.properties
        if protocolVersion == .v5 {
            if let sessionExpiryInterval { properties.sessionExpiryInterval = sessionExpiryInterval }
            if let receiveMaximum { properties.receiveMaximum = receiveMaximum }
            if properties.maximumPacketSize == nil {
                properties.maximumPacketSize = UInt32(clamping: maximumPacketSize)
            }
        }
        return MQTTPacket.Connect(
            protocolVersion: protocolVersion,
            clientIdentifier: clientIdentifier,
            cleanStart: cleanStart,
            keepAlive: keepAlive,
            username: username,
            password: password,
            will: will,
            properties: protocolVersion == .v5 ? properties : MQTTProperties()
        )
    }
}
