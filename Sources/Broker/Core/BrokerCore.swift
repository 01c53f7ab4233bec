import Logging
import NIOCore
import Synchronization

/// The broker's shared state: sessions, the subscription tree and retained messages, and the routing of
/// every published message to its subscribers.
///
/// One lock guards the state; routing takes it only to match a topic (and pick shared-subscription
/// members), then delivers outside it to each session, whose own lock orders its deliveries. Nothing on
/// this path hops between actors or tasks.
public final class BrokerCore: Sendable {
    public let configuration: BrokerConfiguration
    public let statistics = BrokerStatistics()
    let logger: Logger
    private let state: Mutex<State>
    let connections = Mutex(ConnectionRegistry())
    let dirty = Mutex(DirtySet())
    let connectionRate: ConnectionRateLimiter
    let keepAliveSweep = Mutex(KeepAliveSweep())
    let events = Mutex<(any MQTTBrokerEvents)?>(nil)

    struct State {
        var sessions: [String: MQTTSession] = [:]
        var tree = TopicTree<SubscriptionRecord>()
        /// Round-robin position per shared subscription (`$share/{group}/{filter}`).
        var sharedCursors: [String: Int] = [:]
        var retained: RetainedMessages
    }

    public init(configuration: BrokerConfiguration = BrokerConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.connectionRate = ConnectionRateLimiter(perSecond: configuration.maximumConnectionRate)
        state = Mutex(State(retained: RetainedMessages(limit: configuration.maximumRetainedMessages)))
    }

    // MARK: Publishing

    /// Routes `message` to every matching subscription and stores it when retained; returns how many
    /// subscribers it was delivered (sent or queued) to.
    @discardableResult
    public func publish(_ message: MQTTMessage) -> Int {
        publish(message, acknowledged: nil).delivered
    }

    /// Routes `message` like ``publish(_:)``; when in-process subscribers hold the acknowledgement of this
    /// QoS 1 message, `acknowledged` is called once they all completed (on whichever thread the last one
    /// does) and `held` is `true`; otherwise `acknowledged` is never called.
    public func publish(_ message: MQTTMessage, acknowledged: (@Sendable (MQTTReasonCode) -> Void)?) -> (delivered: Int, held: Bool) {
        let now = NIODeadline.now()
        var matches: [SubscriptionRecord] = []
        state.withLock { state in
            if message.retain {
                if state.retained.update(with: message) {
                    markDirty(retained: message.topic)
                } else {
                    logger.warning("retained message limit reached; not retained", metadata: ["mqtt.topic": "\(message.topic)"])
                }
            }
            state.tree.match(message.topic, into: &matches)
            if matches.contains(where: { $0.shareName != nil }) {
                Self.pickSharedMembers(&matches, cursors: &state.sharedCursors)
            }
        }
        return deliver(message, to: matches, now: now, acknowledged: acknowledged)
    }

    /// Routes `message` only to the subscriptions of one client, as a server does on topics that name no
    /// client (Azure IoT Hub's `$iothub/…`, whose meaning depends on the connection). Never retained.
    @discardableResult
    public func publish(_ message: MQTTMessage, toClient clientID: String) -> Int {
        // The client's own subscriptions, not the tree: when every device subscribes to the same filter
        // (`$iothub/twin/res/#`), the tree would hand back every device's subscription for each message.
        let matches: [SubscriptionRecord] = state.withLock { state in
            guard let session = state.sessions[clientID] else { return [] }
            return session.subscriptions.values.filter { record in
                record.shareName == nil && MQTTTopic.filter(record.filter, matches: message.topic)
            }
        }
        return deliver(message, to: matches, now: .now(), acknowledged: nil).delivered
    }

    /// Whether a publication on `topic` would reach anyone (only `clientID`, when given): lets a publisher
    /// skip building a message nobody takes.
    public func hasSubscribers(to topic: String, clientID: String? = nil) -> Bool {
        state.withLock { state in
            if let clientID {
                guard let session = state.sessions[clientID] else { return false }
                return session.subscriptions.values.contains { $0.shareName == nil && MQTTTopic.filter($0.filter, matches: topic) }
            }
            var found = false
            state.tree.forEachMatch(of: topic) { _ in found = true }
            return found
        }
    }

    /// Keeps one member of each shared subscription, taking turns.
    private static func pickSharedMembers(_ matches: inout [SubscriptionRecord], cursors: inout [String: Int]) {
        var groups: [String: [Int]] = [:]
        for (index, record) in matches.enumerated() where record.shareName != nil {
            groups[record.filter, default: []].append(index)
        }
        var dropped = Set<Int>()
        for (key, members) in groups {
            let turn = cursors[key, default: 0]
            cursors[key] = turn &+ 1
            let chosen = members[turn % members.count]
            for member in members where member != chosen { dropped.insert(member) }
        }
        if dropped.isEmpty { return }
        matches = matches.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }

    /// One session's copy of a message: overlapping subscriptions of a session give one copy with the
    /// highest granted QoS and every subscription identifier (MQTT-3.3.4-3, -5).
    private struct Copy {
        let session: MQTTSession
        let shared: Bool
        var qos: MQTTQoS
        var retain: Bool
        var identifiers: [Int]
    }

    private func deliver(
        _ message: MQTTMessage, to matches: [SubscriptionRecord], now: NIODeadline, acknowledged: (@Sendable (MQTTReasonCode) -> Void)?
    ) -> (delivered: Int, held: Bool) {
        var copies: [Copy] = []
        copies.reserveCapacity(matches.count)
        var delivered = 0
        var acknowledgement: MQTTAcknowledgement?
        if let acknowledged, message.qos == .atLeastOnce {
            let holders = matches.reduce(0) { count, record in
                if case .local(let local) = record.target, local.holdsAcknowledgements { return count + 1 }
                return count
            }
            if holders > 0 { acknowledgement = MQTTAcknowledgement(holders: holders, onComplete: acknowledged) }
        }
        for record in matches {
            switch record.target {
            case .local(let local):
                local.handler(message, local.holdsAcknowledgements ? acknowledgement : nil)
                delivered += 1
            case .session(let session):
                let shared = record.shareName != nil
                if record.options.noLocal, !shared, message.publisherClientID == session.clientID { continue }
                let qos = min(record.options.qos, message.qos)
                let retain = record.options.retainAsPublished && message.retain
                if !shared, let index = copies.firstIndex(where: { $0.session === session && !$0.shared }) {
                    copies[index].qos = max(copies[index].qos, qos)
                    copies[index].retain = copies[index].retain || retain
                    if let identifier = record.identifier { copies[index].identifiers.append(identifier) }
                } else {
                    copies.append(Copy(session: session, shared: shared, qos: qos, retain: retain, identifiers: record.identifier.map { [$0] } ?? []))
                }
            }
        }
        for copy in copies {
            let delivery = MQTTDelivery(message: message, qos: copy.qos, retain: copy.retain, subscriptionIdentifiers: copy.identifiers)
            switch copy.session.deliver(delivery, now: now) {
            case .sent, .queued: delivered += 1
            case .dropped(let reason): statistics.dropped(reason)
            }
        }
        return (delivered, acknowledgement != nil)
    }

    // MARK: In-process subscriptions

    /// Subscribes the rest of Doppel to `filter`; `handler` runs on the publisher's thread for each match.
    public func subscribe(
        _ filter: String, qos: MQTTQoS = .atLeastOnce, handler: @escaping @Sendable (MQTTMessage) -> Void
    ) throws(MQTTProtocolError) -> MQTTLocalSubscription {
        try subscribe(filter, qos: qos, holdingAcknowledgements: false) { message, _ in handler(message) }
    }

    /// Subscribes like ``subscribe(_:qos:handler:)``; with `holdingAcknowledgements`, the publisher of a
    /// QoS 1 message it gets waits for its PUBACK until the handler's ``MQTTAcknowledgement`` is completed
    /// (the handler gets `nil` for messages that need none).
    public func subscribe(
        _ filter: String, qos: MQTTQoS = .atLeastOnce, holdingAcknowledgements: Bool,
        handler: @escaping @Sendable (MQTTMessage, MQTTAcknowledgement?) -> Void
    ) throws(MQTTProtocolError) -> MQTTLocalSubscription {
        try MQTTTopic.validateFilter(filter, maximumLevels: configuration.maximumTopicLevels)
        let shared = try MQTTSharedSubscription(parsing: filter)
        let subscription = MQTTLocalSubscription(filter: filter, holdsAcknowledgements: holdingAcknowledgements, handler: handler)
        let record = SubscriptionRecord(
            target: .local(subscription), filter: filter, options: .init(qos: qos), identifier: nil, shareName: shared?.shareName)
        try state.withLock { state throws(MQTTProtocolError) in
            try state.tree.insert(record, for: shared?.filter ?? filter)
        }
        return subscription
    }

    /// Ends an in-process subscription.
    public func unsubscribe(_ subscription: MQTTLocalSubscription) {
        let treeFilter = (try? MQTTSharedSubscription(parsing: subscription.filter))??.filter ?? subscription.filter
        state.withLock { state in
            _ = state.tree.remove(for: treeFilter) { record in
                if case .local(let local) = record.target { return local === subscription }
                return false
            }
        }
    }

    /// The retained messages `filter` matches, for a new subscription.
    func retainedMessages(matching filter: String, now: NIODeadline) -> [MQTTMessage] {
        state.withLock { $0.retained.matching(filter, now: now) }
    }

    /// How many sessions exist, connected or not.
    public var sessionCount: Int { state.withLock { $0.sessions.count } }

    /// How many retained messages are stored.
    public var retainedCount: Int { state.withLock { $0.retained.messages.count } }

    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }
}
