/// One subscription as the topic tree holds it.
struct SubscriptionRecord: Sendable {
    enum Target: Sendable {
        /// A client's session.
        case session(MQTTSession)
        /// An in-process subscriber (the rest of Doppel).
        case local(MQTTLocalSubscription)
    }

    let target: Target
    /// The filter as subscribed, `$share/{group}/…` included; the session's key for it.
    let filter: String
    let options: MQTTPacket.SubscriptionOptions
    /// The 5.0 subscription identifier, if the SUBSCRIBE carried one.
    let identifier: Int?
    /// The share name of a shared subscription.
    let shareName: String?

    func belongs(to session: MQTTSession) -> Bool {
        if case .session(let owner) = target { return owner === session }
        return false
    }
}

/// An in-process subscription: the broker calls `handler` on the publisher's thread for every matching
/// message, so the handler must be quick (hand the message to a queue) and must not block.
public final class MQTTLocalSubscription: Sendable {
    /// The filter subscribed to (shared filters are allowed: one of the group's members gets each message).
    public let filter: String
    /// Whether it holds the acknowledgement of the QoS 1 messages it gets (see ``MQTTAcknowledgement``).
    let holdsAcknowledgements: Bool
    let handler: @Sendable (MQTTMessage, MQTTAcknowledgement?) -> Void

    init(filter: String, holdsAcknowledgements: Bool = false, handler: @escaping @Sendable (MQTTMessage, MQTTAcknowledgement?) -> Void) {
        self.filter = filter
        self.holdsAcknowledgements = holdsAcknowledgements
        self.handler = handler
    }
}
