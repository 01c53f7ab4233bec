import DequeModule
import Synchronization
import NIOCore
import OrderedCollections

/// The state of one client identifier that outlives its connections (MQTT §4.1): messages in flight
/// towards the client, messages queued for it, and its subscriptions.
///
/// Delivery state is guarded by the session's own lock, so publishers on any event loop deliver to it
/// directly; ``subscriptions`` belongs to ``BrokerCore`` and is only touched under the core's lock.
final class MQTTSession: @unchecked Sendable {
    let clientID: String
    /// Inline, not a separate allocation: every idle device has a session.
    private let lock = Mutex<Void>(())
    private let maximumQueuedMessages: Int
    private let maximumQueuedBytes: Int

    // Guarded by `lock`.
    private var connection: MQTTConnection?
    private var owed = DeliveryState()

    /// What is owed to the client: guarded by `lock`.
    struct DeliveryState {
        var nextPacketIdentifier: UInt16 = 0
        var inflight: OrderedDictionary<UInt16, Inflight> = [:]
        var pending: Deque<MQTTDelivery> = []
        var pendingBytes = 0
    }

    /// QoS 2 packet identifiers received from the client and not yet released by PUBREL. They belong to the
    /// session, not the connection, so a PUBLISH resent after a reconnect is still recognised (exactly once).
    private var unreleasedInbound: Set<UInt16> = []

    /// What a QoS 2 PUBLISH from the client is, by its packet identifier.
    enum InboundQoS2: Equatable {
        /// Deliver it and answer PUBREC.
        case new
        /// A resend of one not yet released: answer PUBREC, deliver nothing.
        case duplicate
        /// More unreleased than the broker's Receive Maximum allows.
        case overLimit
    }

    /// Notes a QoS 2 PUBLISH from the client.
    func receivedQoS2(_ identifier: UInt16, limit: Int) -> InboundQoS2 {
        lock.withLock { _ in
            if unreleasedInbound.contains(identifier) { return .duplicate }
            guard unreleasedInbound.count < limit else { return .overLimit }
            unreleasedInbound.insert(identifier)
            return .new
        }
    }

    /// PUBREL from the client; `false` when the identifier was not awaiting release.
    func released(_ identifier: UInt16) -> Bool {
        lock.withLock { _ in unreleasedInbound.remove(identifier) != nil }
    }

    /// Called after every change to what is owed to the client, so persistence knows to write it.
    let onChange: @Sendable (MQTTSession) -> Void

    // Guarded by the core's lock.
    var subscriptions: [String: SubscriptionRecord] = [:]
    var expiryInterval: UInt32 = 0
    /// The ``MQTTIdentity/sessionOwner`` of the identity that opened it; `nil` for sessions opened in-process.
    var owner: String?
    /// Wall-clock milliseconds when the last connection ended; `nil` while connected.
    var disconnectedAt: Int64?
    var expiryTask: Scheduled<Void>?
    var willTask: Scheduled<Void>?
    /// The will `willTask` will publish, kept so that a session ended early publishes it at once.
    var pendingWill: (@Sendable () -> MQTTMessage)?

    /// A QoS 1 or 2 message sent and not yet fully acknowledged.
    enum Inflight {
        /// Sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
        case published(MQTTDelivery)
        /// PUBREL sent; waiting for PUBCOMP.
        case released
    }

    init(clientID: String, configuration: BrokerConfiguration, onChange: @escaping @Sendable (MQTTSession) -> Void = { _ in }) {
        self.clientID = clientID
        self.onChange = onChange
        self.maximumQueuedMessages = configuration.maximumQueuedMessages
        self.maximumQueuedBytes = configuration.maximumQueuedBytes
    }

    /// Messages queued and in flight, for metrics and `$SYS`.
    var depth: (queued: Int, inflight: Int) {
        lock.withLock { _ in (owed.pending.count, owed.inflight.count) }
    }

    var isConnected: Bool { lock.withLock { _ in connection != nil } }

    /// Runs `body` on the delivery state under the session's lock.
    func withDeliveryState<T>(_ body: (inout DeliveryState) -> T) -> T {
        lock.withLock { _ in body(&owed) }
    }

    /// Sends `delivery` now, queues it, or drops it, by the drop policy.
    func deliver(_ delivery: MQTTDelivery, now: NIODeadline) -> MQTTDeliveryOutcome {
        if delivery.message.isExpired(at: now) { return .dropped(.expired) }
        let outcome = deliverLocked(delivery, now: now)
        if delivery.qos != .atMostOnce, outcome == .sent || outcome == .queued { onChange(self) }
        return outcome
    }

    private func deliverLocked(_ delivery: MQTTDelivery, now: NIODeadline) -> MQTTDeliveryOutcome {
        lock.withLock { _ in
            if delivery.qos == .atMostOnce {
                guard let connection else { return .dropped(.offline) }
                guard connection.isWritable else { return .dropped(.slowConsumer) }
                let packet = delivery.message.packet(
                    qos: .atMostOnce, retain: delivery.retain, packetIdentifier: nil,
                    subscriptionIdentifiers: delivery.subscriptionIdentifiers, now: now)
                return connection.send(.publish(packet)) ? .sent : .dropped(.tooLargeForClient)
            }
            if let connection, owed.pending.isEmpty, owed.inflight.count < connection.clientReceiveMaximum, connection.isWritable {
                return sendLocked(delivery, on: connection, now: now)
            }
            let size = delivery.message.payload.readableBytes
            guard owed.pending.count < maximumQueuedMessages, owed.pendingBytes + size <= maximumQueuedBytes else {
                return .dropped(.queueFull)
            }
            owed.pending.append(delivery)
            owed.pendingBytes += size
            return .queued
        }
    }

    /// Binds a new connection: resends what was in flight (DUP set, PUBREL again) in order, then what waited.
    func attach(_ connection: MQTTConnection, now: NIODeadline) -> [MQTTDropReason] {
        defer { onChange(self) }
        return lock.withLock { _ in
            self.connection = connection
            for (identifier, entry) in owed.inflight {
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
        lock.withLock { _ in
            if self.connection === connection { self.connection = nil }
        }
    }

    /// Forgets everything in flight and queued (Clean Start, or a session that ended).
    func discardMessages() {
        lock.withLock { _ in
            owed.inflight.removeAll()
            owed.pending.removeAll()
            owed.pendingBytes = 0
        }
        onChange(self)
    }

    /// PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done; the window moves on. Returns whether
    /// the identifier was in flight in the expected state, and the drops of what the window released.
    func completed(_ identifier: UInt16, qos2: Bool, now: NIODeadline) -> (known: Bool, drops: [MQTTDropReason]) {
        let result: (known: Bool, drops: [MQTTDropReason]) = lock.withLock { _ in
            switch owed.inflight[identifier] {
            case .published(let delivery)? where !qos2 && delivery.qos == .atLeastOnce: break
            case .released? where qos2: break
            default: return (false, [])
            }
            owed.inflight.removeValue(forKey: identifier)
            return (true, releaseLocked(now: now))
        }
        if result.known { onChange(self) }
        return result
    }

    /// PUBREC: the client has the QoS 2 message; answer PUBREL and wait for PUBCOMP. A failure reason code
    /// ends the exchange instead (5.0).
    func received(_ identifier: UInt16, failed: Bool, now: NIODeadline) -> (known: Bool, drops: [MQTTDropReason]) {
        let result: (known: Bool, drops: [MQTTDropReason]) = lock.withLock { _ in
            guard case .published(let delivery)? = owed.inflight[identifier], delivery.qos == .exactlyOnce else {
                // A PUBREC for a message already released is answered again with PUBREL (a lost PUBREL).
                if case .released? = owed.inflight[identifier] {
                    _ = connection?.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: identifier)))
                    return (true, [])
                }
                return (false, [])
            }
            if failed {
                owed.inflight.removeValue(forKey: identifier)
                return (true, releaseLocked(now: now))
            }
            owed.inflight[identifier] = .released
            _ = connection?.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: identifier)))
            return (true, [])
        }
        if result.known { onChange(self) }
        return result
    }

    /// Sends queued messages while the window and the connection's buffer allow (after an
    /// acknowledgement, or when the connection became writable again).
    func releasePending(now: NIODeadline) -> [MQTTDropReason] {
        defer { onChange(self) }
        return lock.withLock { _ in releaseLocked(now: now) }
    }

    private func releaseLocked(now: NIODeadline) -> [MQTTDropReason] {
        guard let connection else { return [] }
        var drops: [MQTTDropReason] = []
        while let next = owed.pending.first, owed.inflight.count < connection.clientReceiveMaximum, connection.isWritable {
            owed.pending.removeFirst()
            owed.pendingBytes -= next.message.payload.readableBytes
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
        owed.inflight[identifier] = .published(delivery)
        return .sent
    }

    private func nextIdentifierLocked() -> UInt16 {
        repeat {
            owed.nextPacketIdentifier = owed.nextPacketIdentifier == UInt16.max ? 1 : owed.nextPacketIdentifier + 1
        } while owed.inflight[owed.nextPacketIdentifier] != nil
        return owed.nextPacketIdentifier
    }
}
