import Logging
import NIOCore
import Synchronization

/// What changed since persistence last wrote.
struct DirtySet {
    var sessions: Set<String> = []
    var retained: Set<String> = []
}

extension BrokerCore {
    func markDirty(session clientID: String) {
        dirty.withLock { _ = $0.sessions.insert(clientID) }
    }

    func markDirty(retained topic: String) {
        dirty.withLock { _ = $0.retained.insert(topic) }
    }

    /// The changes since the last call, as rows to write: sessions with an expiry interval (others end
    /// with their connection and are never stored) and retained topics.
    func takePersistenceBatch(clock: WallClock) -> PersistenceBatch {
        let changed = dirty.withLock { dirty in
            defer { dirty = DirtySet() }
            return dirty
        }
        var batch = PersistenceBatch()
        withState { state in
            for clientID in changed.sessions {
                guard let session = state.sessions[clientID], session.expiryInterval > 0 else {
                    batch.deletedSessions.append(clientID)
                    continue
                }
                let subscriptions = session.subscriptions.values.map {
                    PersistedSubscription(filter: $0.filter, options: $0.options, identifier: $0.identifier)
                }
                batch.sessions.append(
                    PersistedSession(
                        clientID: clientID, owner: session.owner, expiryInterval: session.expiryInterval,
                        disconnectedAt: session.disconnectedAt ?? clock.wallMilliseconds, subscriptions: subscriptions,
                        snapshot: session.snapshot()))
            }
            for topic in changed.retained {
                if let message = state.retained.messages[topic] {
                    batch.retained.append(message)
                } else {
                    batch.deletedRetained.append(topic)
                }
            }
        }
        return batch
    }

    /// Puts back sessions and retained messages read at start, before any listener accepts clients. A
    /// session whose expiry passed while the broker was down is not restored (and is deleted at the next write).
    func restore(_ saved: PersistedState, clock: WallClock, eventLoop: any EventLoop) {
        withState { state in
            for message in saved.retained where !message.isExpired(at: clock.monotonic) {
                state.retained.update(with: message)
            }
            for persisted in saved.sessions {
                let elapsedSeconds = max(0, (clock.wallMilliseconds - persisted.disconnectedAt) / 1_000)
                let remaining = Int64(persisted.expiryInterval) - elapsedSeconds
                guard remaining > 0 else {
                    markDirty(session: persisted.clientID)
                    continue
                }
                let session = makeSession(persisted.clientID)
                session.owner = persisted.owner
                session.expiryInterval = persisted.expiryInterval
                session.disconnectedAt = persisted.disconnectedAt
                for subscription in persisted.subscriptions {
                    let shared = (try? MQTTSharedSubscription(parsing: subscription.filter)) ?? nil
                    let record = SubscriptionRecord(
                        target: .session(session), filter: subscription.filter, options: subscription.options,
                        identifier: subscription.identifier, shareName: shared?.shareName)
                    guard (try? state.tree.insert(record, for: shared?.filter ?? subscription.filter)) != nil else { continue }
                    session.subscriptions[subscription.filter] = record
                }
                session.restore(persisted.snapshot)
                session.expiryTask = eventLoop.scheduleTask(in: .seconds(remaining)) { [weak self] in
                    self?.expire(session)
                }
                state.sessions[persisted.clientID] = session
            }
        }
        logger.info("restored broker state", metadata: ["mqtt.sessions": "\(saved.sessions.count)", "mqtt.retained": "\(saved.retained.count)"])
    }

    /// A new session whose changes are marked for persistence.
    func makeSession(_ clientID: String) -> MQTTSession {
        MQTTSession(clientID: clientID, configuration: configuration) { [weak self] session in
            self?.markDirty(session: session.clientID)
        }
    }
}

extension BrokerCore {
    /// Messages queued and in flight over all sessions.
    func queueDepth() -> (queued: Int, inflight: Int) {
        let sessions = withState { Array($0.sessions.values) }
        return sessions.reduce(into: (0, 0)) { total, session in
            let depth = session.depth
            total.0 += depth.queued
            total.1 += depth.inflight
        }
    }
}
