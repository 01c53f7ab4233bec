import ArgumentParser
import Broker
import Foundation
import Histogram
import NIOCore
import NIOPosix
import Synchronization
import TwinModel

/// `doppel bench mqtt`: throughput and end-to-end latency of any MQTT broker, with Doppel's own client.
///
/// Publishers stamp the send time (monotonic nanoseconds) into the first 8 bytes of each payload;
/// subscribers, in the same process, record now minus the stamp in an HDR histogram. Flat out, each
/// publisher writes batches of `--batch` messages with one flush (QoS 0) or keeps a few batches in flight
/// (QoS 1 and 2); at a `--rate` it sends what is due every millisecond. `--connections` opens idle
/// connections first, and with `--broker-pid` reports the broker's resident memory per connection.
struct BenchMQTT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt",
        abstract: "Measure an MQTT broker: messages/s published and received, end-to-end latency, memory per connection."
    )

    enum Topics: String, ExpressibleByArgument, CaseIterable {
        /// N publishers → one topic → M subscribers.
        case fanIn = "fan-in"
        /// One publisher → one topic → M subscribers.
        case fanOut = "fan-out"
        /// Publisher i → topic i → subscriber i.
        case pairs
    }

    @Option(help: "Broker host.") var host = "127.0.0.1"
    @Option(help: "Broker port.") var port = 1883
    @Flag(help: "Allow a host other than the loopback interface.") var allowRemote = false
    @Option(help: "Publishing connections.") var publishers = 1
    @Option(help: "Subscribing connections.") var subscribers = 1
    @Option(help: "QoS of publications and subscriptions: 0, 1 or 2.") var qos = 0
    @Option(help: "Payload size in bytes (at least 8: the send time).") var payloadBytes = 64
    @Option(help: "fan-in, fan-out or pairs.") var topics = Topics.pairs
    @Option(help: "Messages per second over all publishers; 0 = as fast as the broker takes them.") var rate = 0.0
    @Option(help: "Seconds of publishing.") var duration = 10.0
    @Option(help: "Extra idle connections held open during the run.") var connections = 0
    @Option(name: .customLong("protocol"), help: "MQTT version: 3.1.1 or 5.") var protocolName = "5"
    @Option(help: "Messages per write when publishing flat out.") var batch = 64
    @Option(help: "Broker process id: report its resident memory before and after the idle connections.")
    var brokerPid: Int32?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    var version: MQTTProtocolVersion { protocolName.hasPrefix("3") ? .v311 : .v5 }
    var publishQoS: MQTTQoS { MQTTQoS(rawValue: UInt8(qos)) ?? .atMostOnce }

    func validate() throws {
        guard ["3.1.1", "5", "5.0"].contains(protocolName) else { throw ValidationError("--protocol is 3.1.1 or 5") }
        guard (0...2).contains(qos) else { throw ValidationError("--qos is 0, 1 or 2") }
        guard publishers >= 1, subscribers >= 0, connections >= 0 else {
            throw ValidationError("--publishers must be at least 1, --subscribers and --connections not negative")
        }
        guard topics != .fanOut || publishers == 1 else { throw ValidationError("fan-out has one publisher") }
        guard topics != .pairs || publishers == subscribers else {
            throw ValidationError("pairs needs as many subscribers as publishers")
        }
        guard payloadBytes >= 8 else { throw ValidationError("--payload-bytes must be at least 8") }
        guard duration > 0, rate >= 0, batch >= 1 else { throw ValidationError("--duration, --rate and --batch must be positive") }
        guard allowRemote || ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw ValidationError("--host is not the loopback interface; pass --allow-remote to measure a remote broker")
        }
    }

    func run() async throws {
        let files = FileLimit.raise()
        let needed = publishers + subscribers + connections + 64
        guard needed <= files else {
            throw ValidationError("\(needed) open files needed (connections and some slack) but the limit is \(files)")
        }
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let prefix = "doppel-bench/\(runID)"
        @Sendable func topic(_ publisher: Int) -> String { topics == .pairs ? "\(prefix)/pair/\(publisher)" : "\(prefix)/\(topics.rawValue)" }
        @Sendable func configuration(_ id: String, keepAlive: UInt16 = 60) -> MQTTClientConfiguration {
            MQTTClientConfiguration(protocolVersion: version, clientIdentifier: "\(prefix)/\(id)", keepAlive: keepAlive)
        }

        // Subscribers count and timestamp on their event loop (MQTTClientConfiguration.messageHandler): no
        // task wakes per message, so the load generator leaves the CPU to the broker.
        let recorders = (0..<subscribers).map { _ in LatencyRecorder() }
        var subscriberClients: [MQTTClient] = []
        for index in 0..<subscribers {
            var subscriberConfiguration = configuration("sub-\(index)")
            let recorder = recorders[index]
            subscriberConfiguration.messageHandler = { recorder.record($0) }
            let client = try await MQTTClient.connect(host: host, port: port, configuration: subscriberConfiguration)
            let codes = try await client.subscribe([(topic(topics == .pairs ? index : 0), .init(qos: publishQoS))])
            guard let code = codes.first, !code.isFailure else { throw MQTTClientError.connectionRefused(codes.first ?? .unspecifiedError) }
            subscriberClients.append(client)
        }
        var publisherClients: [MQTTClient] = []
        for index in 0..<publishers {
            publisherClients.append(try await MQTTClient.connect(host: host, port: port, configuration: configuration("pub-\(index)")))
        }

        let rssBefore = brokerPid.flatMap(Self.residentBytes)
        let idle = try await openIdleConnections(configuration: { configuration("idle-\($0)", keepAlive: 600) })
        var rssAfter: Int64?
        if brokerPid != nil, connections > 0 {
            try await Task.sleep(for: .seconds(1))
            rssAfter = brokerPid.flatMap(Self.residentBytes)
        }

        let start = ContinuousClock.now
        let startNanoseconds = monotonicNanoseconds()
        let published = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, client) in publisherClients.enumerated() {
                group.addTask { try await publish(with: client, topic: topic(index), until: start + .seconds(duration)) }
            }
            return try await group.reduce(0, +)
        }
        let publishSeconds = (ContinuousClock.now - start).seconds
        let expected = published * (topics == .pairs ? 1 : subscribers)
        try await drain(recorders, expected: expected)

        for client in publisherClients + subscriberClients { try? await client.disconnect() }
        for client in subscriberClients { await client.closed() }
        var histogram = LatencyRecorder.emptyHistogram()
        for recorder in recorders { histogram.add(recorder.histogram) }
        for client in idle { try? await client.disconnect() }

        let received = recorders.reduce(0) { $0 + $1.received.load(ordering: .relaxed) }
        let lastReceived = recorders.map { $0.lastNanoseconds.load(ordering: .relaxed) }.max() ?? 0
        let receiveSeconds = max(Double(Int64(lastReceived) - Int64(startNanoseconds)) / 1e9, publishSeconds)
        report(
            published: published, publishSeconds: publishSeconds, received: received, expected: expected,
            receiveSeconds: receiveSeconds, histogram: histogram, rss: (rssBefore, rssAfter))
    }

    /// One publisher's loop: flat out in batches, or paced at its share of `--rate`; returns messages sent.
    private func publish(with client: MQTTClient, topic: String, until end: ContinuousClock.Instant) async throws -> Int {
        let qos = publishQoS
        let filler = ByteBuffer(repeating: 0x2E, count: payloadBytes - 8)
        func makeBatch(_ count: Int) -> [MQTTPacket.Publish] {
            var payload = ByteBuffer()
            payload.reserveCapacity(payloadBytes)
            payload.writeInteger(monotonicNanoseconds())
            payload.writeImmutableBuffer(filler)
            return Array(repeating: MQTTPacket.Publish(topicName: topic, payload: payload, qos: qos), count: count)
        }
        if rate > 0 {
            let perSecond = rate / Double(publishers)
            let start = ContinuousClock.now
            var sent = 0
            while ContinuousClock.now < end {
                let due = Int(perSecond * (ContinuousClock.now - start).seconds) - sent
                if due > 0 {
                    let count = min(due, 1000)
                    try await client.publish(contentsOf: makeBatch(count))
                    sent += count
                } else {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            return sent
        }
        // Flat out: QoS 0 waits for each write (the socket's back-pressure); QoS 1 and 2 keep four
        // batches in flight so that acknowledgements overlap with publishing.
        let lanes = qos == .atMostOnce ? 1 : 4
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<lanes {
                group.addTask {
                    var sent = 0
                    while ContinuousClock.now < end {
                        try await client.publish(contentsOf: makeBatch(batch))
                        sent += batch
                    }
                    return sent
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Waits for the subscribers to receive what is on its way: until `expected` arrived, nothing arrived
    /// for half a second, or ten seconds passed.
    private func drain(_ progress: [LatencyRecorder], expected: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var last = -1
        while ContinuousClock.now < deadline {
            let received = progress.reduce(0) { $0 + $1.received.load(ordering: .relaxed) }
            if received >= expected || received == last { return }
            last = received
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Opens `--connections` idle connections, 200 at a time.
    private func openIdleConnections(configuration: @escaping @Sendable (Int) -> MQTTClientConfiguration) async throws -> [MQTTClient] {
        guard connections > 0 else { return [] }
        let (host, port) = (self.host, self.port)
        return try await concurrently(0..<connections, width: 200) { index in
            try await MQTTClient.connect(host: host, port: port, configuration: configuration(index))
        }
    }

    private func report(
        published: Int, publishSeconds: Double, received: Int, expected: Int, receiveSeconds: Double,
        histogram: Histogram<UInt64>, rss: (before: Int64?, after: Int64?)
    ) {
        let publishRate = Double(published) / publishSeconds
        let receiveRate = Double(received) / receiveSeconds
        let latency = histogram.totalCount > 0
            ? [50.0, 90, 99].map { histogram.valueAtPercentile($0) } + [histogram.max] : [0, 0, 0, 0]
        let perConnection: Int64? = rss.before.flatMap { before in
            rss.after.map { ($0 - before) / Int64(max(connections, 1)) }
        }
        if json {
            func optional(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
            let result: JSONValue = [
                "benchmark": "mqtt", "host": .string(host), "port": .int(Int64(port)),
                "protocol": .string(version.description), "qos": .int(Int64(qos)), "topics": .string(topics.rawValue),
                "publishers": .int(Int64(publishers)), "subscribers": .int(Int64(subscribers)),
                "payloadBytes": .int(Int64(payloadBytes)), "rate": .double(rate), "durationSeconds": .double(publishSeconds),
                "published": .int(Int64(published)), "publishedPerSecond": .double(publishRate),
                "received": .int(Int64(received)), "expected": .int(Int64(expected)), "receivedPerSecond": .double(receiveRate),
                "latencyMicros": [
                    "p50": .int(Int64(latency[0])), "p90": .int(Int64(latency[1])), "p99": .int(Int64(latency[2])),
                    "max": .int(Int64(latency[3])),
                ],
                "idleConnections": .int(Int64(connections)),
                "brokerRSSBeforeBytes": optional(rss.before), "brokerRSSAfterBytes": optional(rss.after),
                "brokerBytesPerConnection": optional(perConnection),
            ]
            print(result.description)
            return
        }
        print("MQTT \(version) QoS \(qos) \(topics.rawValue): \(publishers) publishers, \(subscribers) subscribers, \(payloadBytes)-byte payloads")
        print(String(format: "published %d in %.2f s = %.0f msg/s", published, publishSeconds, publishRate))
        print(String(format: "received  %d of %d in %.2f s = %.0f msg/s", received, expected, receiveSeconds, receiveRate))
        print("latency µs: p50 \(latency[0])  p90 \(latency[1])  p99 \(latency[2])  max \(latency[3])")
        if let before = rss.before, let after = rss.after, let perConnection {
            print("broker RSS \(before / 1024) KiB → \(after / 1024) KiB with \(connections) idle connections = \(perConnection) bytes each")
        }
    }

    /// The broker's resident set size, from /proc/PID/status (VmRSS, in kB).
    static func residentBytes(pid: Int32) -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first { Int64($0) != nil }
            return digits.flatMap { Int64($0) }.map { $0 * 1024 }
        }
        return nil
    }
}

/// One subscriber's count and latency histogram, fed on its connection's event loop.
///
/// `record(_:)` runs only there, one message at a time; the histogram is read once the connection has
/// closed. The count and the last arrival are atomics, for the drain to watch meanwhile.
final class LatencyRecorder: @unchecked Sendable {
    let received = Atomic<Int>(0)
    let lastNanoseconds = Atomic<UInt64>(0)
    private(set) var histogram = LatencyRecorder.emptyHistogram()

    /// Microseconds, up to an hour.
    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    func record(_ message: MQTTPacket.Publish) {
        let now = monotonicNanoseconds()
        if let stamp = message.payload.getInteger(at: message.payload.readerIndex, as: UInt64.self), stamp <= now {
            _ = histogram.record((now - stamp) / 1000)
        }
        received.add(1, ordering: .relaxed)
        lastNanoseconds.store(now, ordering: .relaxed)
    }
}

/// Monotonic time in nanoseconds, comparable across the tasks of this process.
private func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
