import Synchronization

/// What the rest of Doppel hears about clients: the seam beside authentication through which device
/// twins learn that a device came, subscribed or went.
///
/// Called on the client's event loop after the broker acted (after CONNACK, after SUBACK, after the
/// connection closed): implementations must return quickly and hand work elsewhere.
public protocol MQTTBrokerEvents: Sendable {
    /// A client was accepted; `sessionPresent` says its session (and subscriptions) resumed.
    func clientConnected(_ identity: MQTTIdentity, clientID: String, sessionPresent: Bool)
    /// A client's subscriptions were made; `filters` are those granted, as the client wrote them.
    func clientSubscribed(_ identity: MQTTIdentity, clientID: String, filters: [String])
    /// A client's connection ended.
    func clientDisconnected(_ identity: MQTTIdentity, clientID: String)
}

extension BrokerCore {
    /// Sets who hears about clients; one listener at a time.
    public func setEvents(_ events: (any MQTTBrokerEvents)?) {
        self.events.withLock { $0 = events }
    }

    var currentEvents: (any MQTTBrokerEvents)? {
        events.withLock { $0 }
    }
}
