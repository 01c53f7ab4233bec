import Synchronization

/// Counters for metrics and `$SYS/broker/…`, updated without locks on the hot paths.
public final class BrokerStatistics: Sendable {
    private let connectionsCurrent = Atomic<Int>(0)
    private let connectionsTotal = Atomic<Int>(0)
    private let messagesReceived = Atomic<Int>(0)
    private let messagesSent = Atomic<Int>(0)
    private let bytesReceived = Atomic<Int>(0)
    private let bytesSent = Atomic<Int>(0)
    private let dropCounts = Mutex<[MQTTDropReason: Int]>([:])

    init() {}

    func connected() {
        connectionsCurrent.add(1, ordering: .relaxed)
        connectionsTotal.add(1, ordering: .relaxed)
    }

    func disconnected() {
        connectionsCurrent.subtract(1, ordering: .relaxed)
    }

    func received(payloadBytes: Int) {
        messagesReceived.add(1, ordering: .relaxed)
        bytesReceived.add(payloadBytes, ordering: .relaxed)
    }

    func sent(bytes: Int, isPublish: Bool) {
        bytesSent.add(bytes, ordering: .relaxed)
        if isPublish { messagesSent.add(1, ordering: .relaxed) }
    }

    func dropped(_ reason: MQTTDropReason) {
        dropCounts.withLock { $0[reason, default: 0] += 1 }
    }

    /// A consistent-enough copy of every counter.
    public var snapshot: Snapshot {
        Snapshot(
            connectionsCurrent: connectionsCurrent.load(ordering: .relaxed),
            connectionsTotal: connectionsTotal.load(ordering: .relaxed),
            messagesReceived: messagesReceived.load(ordering: .relaxed),
            messagesSent: messagesSent.load(ordering: .relaxed),
            bytesReceived: bytesReceived.load(ordering: .relaxed),
            bytesSent: bytesSent.load(ordering: .relaxed),
            drops: dropCounts.withLock { $0 })
    }

    public struct Snapshot: Sendable, Equatable {
        public var connectionsCurrent: Int
        public var connectionsTotal: Int
        /// PUBLISH packets accepted from clients (payload bytes in ``bytesReceived``).
        public var messagesReceived: Int
        /// PUBLISH packets written to clients (all bytes written in ``bytesSent``).
        public var messagesSent: Int
        public var bytesReceived: Int
        public var bytesSent: Int
        public var drops: [MQTTDropReason: Int]
    }
}
