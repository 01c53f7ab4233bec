/// One message on its way to one session, at the QoS that session's subscription grants.
struct MQTTDelivery: Sendable {
    let message: MQTTMessage
    let qos: MQTTQoS
    /// The RETAIN flag as this subscriber sees it (cleared unless Retain As Published, set for retained
    /// messages sent on subscribing).
    let retain: Bool
    /// The identifiers of the subscriptions that matched (5.0).
    let subscriptionIdentifiers: [Int]
}

/// What became of a delivery; the broker counts the drops (see `docs/drop-policy.md`).
enum MQTTDeliveryOutcome: Sendable, Equatable {
    case sent
    case queued
    case dropped(MQTTDropReason)
}

/// Why a message did not reach a subscriber.
public enum MQTTDropReason: String, Sendable, CaseIterable {
    /// QoS 0 to a disconnected session: never queued.
    case offline
    /// QoS 0 to a connection whose outbound buffer is past its high-water mark (a slow consumer).
    case slowConsumer = "slow_consumer"
    /// QoS 1 or 2 to a session whose queue is full, in messages or bytes: the new message is dropped.
    case queueFull = "queue_full"
    /// The message's expiry interval passed before it could be sent.
    case expired
    /// Larger than the client's Maximum Packet Size (MQTT-3.1.2-25).
    case tooLargeForClient = "too_large_for_client"
}
