import NIOCore

/// An application message as the broker routes it: immutable, shared by every delivery of it.
public final class MQTTMessage: Sendable {
    public let topic: String
    public let payload: ByteBuffer
    /// The QoS it was published with; each subscriber gets at most its own subscription's QoS.
    public let qos: MQTTQoS
    public let retain: Bool
    /// The 5.0 properties forwarded to subscribers unchanged: payload format, content type, response
    /// topic, correlation data and user properties. Expiry is kept in ``expiresAt``.
    public let properties: MQTTProperties
    /// When the message stops being delivered (5.0 Message Expiry Interval); `nil` for never.
    public let expiresAt: NIODeadline?
    /// The client that published it, for No Local subscriptions; `nil` for in-process publishers.
    public let publisherClientID: String?

    public init(
        topic: String, payload: ByteBuffer, qos: MQTTQoS, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties(), expiresAt: NIODeadline? = nil, publisherClientID: String? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.expiresAt = expiresAt
        self.publisherClientID = publisherClientID
    }

    /// The message of a received PUBLISH (its topic already resolved from any alias).
    convenience init(_ publish: MQTTPacket.Publish, topic: String, publisher: String?, now: NIODeadline) {
        var forwarded = MQTTProperties()
        forwarded.payloadFormatIndicator = publish.properties.payloadFormatIndicator
        forwarded.contentType = publish.properties.contentType
        forwarded.responseTopic = publish.properties.responseTopic
        forwarded.correlationData = publish.properties.correlationData
        forwarded.userProperties = publish.properties.userProperties
        let expiry = publish.properties.messageExpiryInterval.map { now + .seconds(Int64($0)) }
        self.init(
            topic: topic, payload: publish.payload, qos: publish.qos, retain: publish.retain, properties: forwarded,
            expiresAt: expiry, publisherClientID: publisher)
    }

    func isExpired(at now: NIODeadline) -> Bool {
        guard let expiresAt else { return false }
        return now >= expiresAt
    }

    /// The PUBLISH that carries this message to one subscriber.
    func packet(
        qos: MQTTQoS, retain: Bool, packetIdentifier: UInt16?, subscriptionIdentifiers: [Int], dup: Bool = false,
        now: NIODeadline
    ) -> MQTTPacket.Publish {
        var properties = properties
        properties.subscriptionIdentifiers = subscriptionIdentifiers
        if let expiresAt {
            // The remaining lifetime, rounded up so a message about to expire is not sent as "0 seconds".
            let remaining = (expiresAt - now).nanoseconds
            properties.messageExpiryInterval = UInt32(clamping: max(1, (remaining + 999_999_999) / 1_000_000_000))
        }
        return MQTTPacket.Publish(
            topicName: topic, payload: payload, qos: qos, retain: retain, dup: dup, packetIdentifier: packetIdentifier,
            properties: properties)
    }
}
