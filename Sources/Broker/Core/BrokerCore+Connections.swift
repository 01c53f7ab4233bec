import Synchronization

extension BrokerCore {
    /// Records `connection` as the live one of `clientID`; returns the one it takes over, if any.
    func register(_ connection: MQTTConnection, for clientID: String) -> MQTTConnection? {
        connections.withLock { connections in
            let previous = connections.byClientID[clientID]
            connections.byClientID[clientID] = connection
            connections.clientIDs[ObjectIdentifier(connection)] = clientID
            return previous
        }
    }

    /// Forgets `connection` unless a newer connection of its client replaced it.
    func unregister(_ connection: MQTTConnection) {
        connections.withLock { connections in
            guard let clientID = connections.clientIDs.removeValue(forKey: ObjectIdentifier(connection)) else { return }
            if connections.byClientID[clientID] === connection { connections.byClientID.removeValue(forKey: clientID) }
        }
    }

    /// Whether a client with this id is connected now.
    public func isConnected(clientID: String) -> Bool {
        connections.withLock { $0.byClientID[clientID] != nil }
    }

    /// Live client connections.
    public var connectionCount: Int { connections.withLock { $0.clientIDs.count } }

    /// Disconnects every client with `reason` (5.0 clients get a DISCONNECT first), e.g. at shutdown.
    func disconnectAll(_ reason: MQTTReasonCode) {
        let all = connections.withLock { Array($0.byClientID.values) }
        for connection in all { connection.disconnect(reason) }
    }
}

/// The live connections, by client id, for takeover and shutdown.
struct ConnectionRegistry {
    var byClientID: [String: MQTTConnection] = [:]
    var clientIDs: [ObjectIdentifier: String] = [:]
}
