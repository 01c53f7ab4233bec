import NIOCore

extension BrokerCore {
    /// The session a CONNECT gets.
    struct SessionOpening {
        let session: MQTTSession
        /// Whether an existing session was resumed (CONNACK Session Present).
        let sessionPresent: Bool
    }

    /// Finds or creates the session of `clientID`. Clean Start discards an existing one; otherwise it is
    /// resumed with its subscriptions and queued messages. Pending expiry and delayed wills are cancelled:
    /// a new connection came before them.
    /// Returns `nil`, changing nothing, when the session of `clientID` belongs to another identity.
    func openSession(clientID: String, cleanStart: Bool, expiryInterval: UInt32, owner: String? = nil) -> SessionOpening? {
        var endedWill: (@Sendable () -> MQTTMessage)?
        defer { if let endedWill { publish(endedWill()) } }
        return withState { state in
            if let existing = state.sessions[clientID], let current = existing.owner, let owner, current != owner {
                return nil
            }
            if let existing = state.sessions[clientID] {
                existing.expiryTask?.cancel()
                existing.expiryTask = nil
                existing.willTask?.cancel()
                existing.willTask = nil
                // Clean Start ends the old session: a will still waiting out its delay goes now
                // (MQTT-3.1.3-9); resuming the session within the delay cancels it.
                if cleanStart { endedWill = existing.pendingWill }
                existing.pendingWill = nil
                if !cleanStart {
                    existing.expiryInterval = min(expiryInterval, configuration.maximumSessionExpiry)
                    existing.disconnectedAt = nil
                    markDirty(session: clientID)
                    return SessionOpening(session: existing, sessionPresent: true)
                }
                Self.removeSubscriptions(of: existing, from: &state)
                existing.discardMessages()
            }
            let session = makeSession(clientID)
            session.owner = owner
            session.expiryInterval = min(expiryInterval, configuration.maximumSessionExpiry)
            state.sessions[clientID] = session
            markDirty(session: clientID)
            return SessionOpening(session: session, sessionPresent: false)
        }
    }

    /// A connection of `session` ended. The session expires now or later by its expiry interval, unless a
    /// newer connection took it over; the will is published now, after its delay, or at session end,
    /// whichever comes first, unless a newer connection came first (MQTT-3.1.3-9).
    func connectionClosed(
        _ connection: MQTTConnection, of session: MQTTSession, will: (@Sendable () -> MQTTMessage)?, willDelay: UInt32,
        on eventLoop: any EventLoop
    ) {
        session.detach(connection)
        let publishWillNow: Bool = withState { state in
            let current = state.sessions[session.clientID] === session
            if current, session.isConnected {
                return willDelay == 0  // taken over by a new connection of the same session
            }
            if !current {
                return true  // replaced by a Clean Start: this session has ended
            }
            if session.expiryInterval == 0 {
                Self.end(session, in: &state)
                return true
            }
            session.disconnectedAt = WallClock.now().wallMilliseconds
            markDirty(session: session.clientID)
            session.expiryTask = eventLoop.scheduleTask(in: .seconds(Int64(session.expiryInterval))) { [weak self] in
                self?.expire(session)
            }
            if let will, willDelay > 0 {
                let delay = min(willDelay, session.expiryInterval)
                session.pendingWill = will
                session.willTask = eventLoop.scheduleTask(in: .seconds(Int64(delay))) { [weak self] in
                    self?.withState { _ in session.pendingWill = nil }
                    self?.publish(will())
                }
                return false
            }
            return true
        }
        if publishWillNow, let will { publish(will()) }
    }

    func expire(_ session: MQTTSession) {
        withState { state in
            guard state.sessions[session.clientID] === session, !session.isConnected else { return }
            Self.end(session, in: &state)
        }
    }

    private static func end(_ session: MQTTSession, in state: inout State) {
        removeSubscriptions(of: session, from: &state)
        session.discardMessages()
        state.sessions.removeValue(forKey: session.clientID)
    }

    private static func removeSubscriptions(of session: MQTTSession, from state: inout State) {
        for record in session.subscriptions.values {
            let treeFilter = record.shareName == nil ? record.filter : sharedInnerFilter(record.filter)
            _ = state.tree.remove(for: treeFilter) { $0.belongs(to: session) && $0.filter == record.filter }
        }
        session.subscriptions.removeAll()
    }

    static func sharedInnerFilter(_ filter: String) -> String {
        ((try? MQTTSharedSubscription(parsing: filter)) ?? nil)?.filter ?? filter
    }
}
