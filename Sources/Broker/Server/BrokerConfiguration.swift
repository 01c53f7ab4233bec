/// The broker's limits and what it announces to clients; every limit is documented in `docs/limits.md`.
public struct BrokerConfiguration: Sendable {
    /// The largest packet accepted from a client, fixed header included (announced in 5.0 CONNACK).
    public var maximumPacketSize = 1 << 20
    /// QoS 1 and 2 publications a client may have unacknowledged towards the broker (5.0 Receive Maximum).
    public var receiveMaximum: UInt16 = 100
    /// Topic aliases a client may use towards the broker (5.0 Topic Alias Maximum).
    public var topicAliasMaximum: UInt16 = 64
    /// Levels a topic name or filter may have.
    public var maximumTopicLevels = 32
    /// Subscriptions one session may hold.
    public var maximumSubscriptionsPerSession = 1_000
    /// Concurrent client connections; past it CONNECT is refused with 0x97 Quota exceeded.
    public var maximumConnections = 100_000
    /// CONNECTs accepted per second (a burst of as many at once); past it 0x9F Connection rate exceeded.
    public var maximumConnectionRate = 10_000
    /// QoS 1 and 2 messages queued per session (offline, or beyond the client's receive window).
    public var maximumQueuedMessages = 1_000
    /// Bytes of payload queued per session.
    public var maximumQueuedBytes = 16 << 20
    /// Outbound bytes buffered per connection before QoS 0 messages to it are dropped and QoS 1 and 2
    /// messages wait in its session queue (the channel's high-water mark).
    public var outboundHighWaterMark = 1 << 20
    /// The longest keep-alive the broker accepts; a client asking more (or 0) is told this one in 5.0.
    public var maximumKeepAlive: UInt16 = 3_600
    /// The longest session expiry the broker keeps a disconnected session for, in seconds.
    public var maximumSessionExpiry: UInt32 = 7 * 24 * 3_600
    /// Seconds a connection may take to send CONNECT before it is closed.
    public var connectTimeout: Int64 = 10
    /// Retained messages kept in all; past it a new retained topic is not retained (the message is still delivered).
    public var maximumRetainedMessages = 100_000

    public init() {}
}
