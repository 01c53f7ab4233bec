import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// Publishes the broker's counters every ``interval``: as swift-metrics (Prometheus at `/metrics` in
/// `doppel serve`) and as retained `$SYS/broker/…` messages, like mosquitto's.
public final class BrokerMonitor: Service {
    public let core: BrokerCore
    let interval: Duration
    let logger: Logger
    private let started = ContinuousClock.now

    public init(core: BrokerCore, interval: Duration = .seconds(10), logger: Logger) {
        self.core = core
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var reporter = Reporter()
            while true {
                self.report(&reporter)
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// One report: metrics, then `$SYS` topics.
    func report(_ reporter: inout Reporter) {
        let statistics = core.statistics.snapshot
        let depth = core.queueDepth()
        reporter.record(statistics, depth: depth, sessions: core.sessionCount, retained: core.retainedCount)
        let uptime = Int((ContinuousClock.now - started).components.seconds)
        var topics: [(String, Int)] = [
            ("clients/connected", statistics.connectionsCurrent), ("clients/total", statistics.connectionsTotal),
            ("messages/received", statistics.messagesReceived), ("messages/sent", statistics.messagesSent),
            ("bytes/received", statistics.bytesReceived), ("bytes/sent", statistics.bytesSent),
            ("sessions/count", core.sessionCount), ("retained messages/count", core.retainedCount),
            ("queue/messages", depth.queued), ("queue/inflight", depth.inflight), ("uptime", uptime),
        ]
        for reason in MQTTDropReason.allCases {
            topics.append(("drops/\(reason.rawValue)", statistics.drops[reason, default: 0]))
        }
        for (topic, value) in topics {
            let message = MQTTMessage(
                topic: "$SYS/broker/\(topic)", payload: ByteBuffer(string: String(value)), qos: .atMostOnce, retain: true)
            core.publish(message)
        }
    }

    /// Turns snapshots into swift-metrics: gauges for levels, counters advanced by what changed.
    struct Reporter {
        private var last = BrokerStatistics.Snapshot(
            connectionsCurrent: 0, connectionsTotal: 0, messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0, drops: [:])
        private let connections = Gauge(label: "mqtt_connections")
        private let sessions = Gauge(label: "mqtt_sessions")
        private let retained = Gauge(label: "mqtt_retained_messages")
        private let queued = Gauge(label: "mqtt_queued_messages")
        private let inflight = Gauge(label: "mqtt_inflight_messages")
        private let connectionsTotal = Counter(label: "mqtt_connections_total")
        private let received = Counter(label: "mqtt_messages_received_total")
        private let sent = Counter(label: "mqtt_messages_sent_total")
        private let bytesReceived = Counter(label: "mqtt_received_bytes_total")
        private let bytesSent = Counter(label: "mqtt_sent_bytes_total")
        private let drops = Dictionary(
            uniqueKeysWithValues: MQTTDropReason.allCases.map { ($0, Counter(label: "mqtt_dropped_messages_total", dimensions: [("reason", $0.rawValue)])) })

        mutating func record(_ now: BrokerStatistics.Snapshot, depth: (queued: Int, inflight: Int), sessions: Int, retained: Int) {
            connections.record(now.connectionsCurrent)
            self.sessions.record(sessions)
            self.retained.record(retained)
            queued.record(depth.queued)
            inflight.record(depth.inflight)
            connectionsTotal.increment(by: now.connectionsTotal - last.connectionsTotal)
            received.increment(by: now.messagesReceived - last.messagesReceived)
            sent.increment(by: now.messagesSent - last.messagesSent)
            bytesReceived.increment(by: now.bytesReceived - last.bytesReceived)
            bytesSent.increment(by: now.bytesSent - last.bytesSent)
            for reason in MQTTDropReason.allCases {
                drops[reason]!.increment(by: now.drops[reason, default: 0] - last.drops[reason, default: 0])
            }
            last = now
        }
    }
}
