import DequeModule
import NIOConcurrencyHelpers
import NIOCore
import OrderedCollections

/// The state of one client identifier that outlives its connections (MQTT §4.1): messages in flight
/// towards the client, messages queued for it, and its subscriptions.
///
/// Delivery state is guarded by the session's own lock, so publishers on any event loop deliver to it
/// directly; ``subscriptions`` belongs to ``BrokerCore`` and is only touched under the core's lock.
final class MQTTSession: @unchecked Sendable {
    let clientID: String
    private let lock = NIOLock()
    private let maximumQueuedMessages: Int
    private let maximumQueuedBytes: Int

    // Guarded by `lock`.
    private var connection: MQTTConnection?
    private var nextPacketIdentifier: UInt16 = 0
    private var inflight: OrderedDictionary<UInt16, Inflight> = [:]
    private var pending: Deque<MQTTDelivery> = []
    private var pendingBytes = 0

    // Guarded by the core's lock.
    var subscriptions: [String: SubscriptionRecord] = [:]
    var expiryInterval: UInt32 = 0
    var expiryTask: Scheduled<Void>?
    var willTask: Scheduled<Void>?

    /// A QoS 1 or 2 message sent and not yet fully acknowledged.
    enum Inflight {
        /// Sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
        case published(MQTTDelivery)
        /// PUBREL sent; waiting for PUBCOMP.
        case released
    }

    init(clientID: String, configuration: BrokerConfiguration) {
        self.clientID = clientID
        self.maximumQueuedMessages = configuration.maximumQueuedMessages
        self.maximumQueuedBytes = configuration.maximumQueuedBytes
    }

    /// Messages queued and in flight, for metrics and `$SYS`.
    var depth: (queued: Int, inflight: Int) {
        lock.withLock { (pending.count, inflight.count) }
    }

    var isConnected: Bool { lock.withLock { connection != nil } }

    /// Sends `delivery` now, queues it, or drops it, by the drop policy.
    func deliver(_ delivery: MQTTDelivery, now: NIODeadline) -> MQTTDeliveryOutcome {
        if delivery.message.isExpired(at: now) { return .dropped(.expired) }
        return lock.withLock {
            if delivery.qos == .atMostOnce {
                guard let connection else { return .dropped(.offline) }
                guard connection.isWritable else { return .dropped(.slowConsumer) }
                let packet = delivery.message.packet(
                    qos: .atMostOnce, retain: delivery.retain, packetIdentifier: nil,
                    subscriptionIdentifiers: delivery.subscriptionIdentifiers, now: now)
                return connection.send(.publish(packet)) ? .sent : .dropped(.tooLargeForClient)
            }
            if let connection, pending.isEmpty, inflight.count < connection.clientReceiveMaximum, connection.isWritable {
                return sendLocked(delivery, on: connection, now: now)
            }
            let size = delivery.message.payload.readableBytes
            guard pending.count < maximumQueuedMessages, pendingBytes + size <= maximumQueuedBytes else {
                return .dropped(.queueFull)
            }
            pending.append(delivery)
            pendingBytes += size
            return .queued
        }
    }

    /// Binds a new connection: resends what was in flight (DUP set, PUBREL again) in order, then what waited.
    func attach(_ connection: MQTTConnection, now: NIODeadline) -> [MQTTDropReason] {
        lock.withLock {
            self.connection = connection
            for (identifier, entry) in inflight {
                switch entry {
                case .published(let delivery):
                    let packet = delivery.message.packet(
                        qos: delivery.qos, retain: delivery.retain, packetIdentifier: identifier,
                        subscriptionIdentifiers: delivery.subscriptionIdentifiers, dup: true, now: now)
                    _ = connection.send(.publish(packet))
                case .released:
                    _ = connection.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: identifier)))
                }
            }
            return releaseLocked(now: now)
        }
    }

    /// Unbinds `connection` if it is still the session's.
    func detach(_ connection: MQTTConnection) {
        lock.withLock {
            if self.connection === connection { self.connection = nil }
        }
    }

    /// Forgets everything in flight and queued (Clean Start, or a session that ended).
    func discardMessages() {
        lock.withLock {
            inflight.removeAll()
            pending.removeAll()
            pendingBytes = 0
        }
    }

    /// PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done; the window moves on. Returns whether
    /// the identifier was in flight in the expected state, and the drops of what the window released.
    func completed(_ identifier: UInt16, qos2: Bool, now: NIODeadline) -> (known: Bool, drops: [MQTTDropReason]) {
        lock.withLock {
            switch inflight[identifier] {
            case .published(let delivery)? where !qos2 && delivery.qos == .atLeastOnce: break
            case .released? where qos2: break
            default: return (false, [])
            }
            inflight.removeValue(forKey: identifier)
            return (true, releaseLocked(now: now))
        }
    }

    /// PUBREC: the client has the QoS 2 message; answer PUBREL and wait for PUBCOMP. A failure reason code
    /// ends the exchange instead (5.0).
    func received(_ identifier: UInt16, failed: Bool, now: NIODeadline) -> (known: Bool, drops: [MQTTDropReason]) {
        lock.withLock {
            guard case .published(let delivery)? = inflight[identifier], delivery.qos == .exactlyOnce else {
                // A PUBREC for a message already released is answered again with PUBREL (a lost PUBREL).
                if case .released? = inflight[identifier] {
                    _ = connection?.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: identifier)))
                    return (true, [])
                }
                return (false, [])
            }
            if failed {
                inflight.removeValue(forKey: identifier)
                return (true, releaseLocked(now: now))
            }
            inflight[identifier] = .released
            _ = connection?.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: identifier)))
            return (true, [])
        }
    }

    /// Sends queued messages while the window and the connection's buffer allow (after an
    /// acknowledgement, or when the connection became writable again).
    func releasePending(now: NIODeadline) -> [MQTTDropReason] {
        lock.withLock { releaseLocked(now: now) }
    }

    private func releaseLocked(now: NIODeadline) -> [MQTTDropReason] {
        guard let connection else { return [] }
        var drops: [MQTTDropReason] = []
        while let next = pending.first, inflight.count < connection.clientReceiveMaximum, connection.isWritable {
            pending.removeFirst()
            pendingBytes -= next.message.payload.readableBytes
            if next.message.isExpired(at: now) {
                drops.append(.expired)
                continue
            }
            if case .dropped(let reason) = sendLocked(next, on: connection, now: now) { drops.append(reason) }
        }
        return drops
    }

    private func sendLocked(_ delivery: MQTTDelivery, on connection: MQTTConnection, now: NIODeadline) -> MQTTDeliveryOutcome {
        let identifier = nextIdentifierLocked()
        let packet = delivery.message.packet(
            qos: delivery.qos, retain: delivery.retain, packetIdentifier: identifier,
            subscriptionIdentifiers: delivery.subscriptionIdentifiers, now: now)
        guard connection.send(.publish(packet)) else { return .dropped(.tooLargeForClient) }
        inflight[identifier] = .published(delivery)
        return .sent
    }

    private func nextIdentifierLocked() -> UInt16 {
        repeat {
            nextPacketIdentifier = nextPacketIdentifier == UInt16.max ? 1 : nextPacketIdentifier + 1
        } while inflight[nextPacketIdentifier] != nil
        return nextPacketIdentifier
    }
}
