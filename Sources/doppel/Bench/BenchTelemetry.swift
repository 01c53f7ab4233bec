import ArgumentParser
import Broker
import Foundation
import Histogram
import NIOCore
import Synchronization
import TwinModel

/// `doppel bench telemetry`: telemetry → store → rules → alert, end to end.
///
/// Runs a `doppel serve` on a fresh data directory, registers the devices in buildings of the twin graph,
/// puts `--rules` rules scoped by graph queries (one per building reacts to a spike, the rest are thresholds
/// and windows that never fire), and runs `doppel sim devices` processes publishing at `--rate` for
/// `--duration`. It reports messages committed per second (from the server's own counters) and the latency
/// from a spike's publication to its alert on MQTT.
struct BenchTelemetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "Measure telemetry ingest with rules: committed messages/s and publish → alert latency."
    )

    @Option(help: "Simulated devices.") var devices = 1_000
    @Option(help: "Simulator processes.") var processes = 2
    @Option(help: "Messages per second over all devices.") var rate = 50_000.0
    @Option(help: "Seconds of publishing.") var duration = 10.0
    @Option(help: "Rules, spread over the buildings.") var rules = 100
    @Option(help: "Buildings the devices are spread over; each has one spike rule.") var buildings = 10
    @Option(help: "Every Nth message of a simulator is a spike that raises an alert.") var spikeEvery = 500
    @Flag(help: "Print one JSON object instead of text.") var json = false

    static let token = "bench-telemetry-admin-token-0123456789"

    func validate() throws {
        guard devices >= buildings, buildings >= 1, processes >= 1, processes <= devices, rate > 0, duration > 0, rules >= buildings,
            spikeEvery >= 1
        else { throw ValidationError("need devices ≥ buildings ≥ 1, 1 ≤ processes ≤ devices, rules ≥ buildings, and positive rate, duration, spike-every") }
    }

    func run() async throws {
        guard let executable = Bundle.main.executablePath else { throw CommandError("cannot find the doppel executable") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-bench-telemetry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ChildProcess(
            executable,
            [
                "serve", "--data", directory.path, "--http-port", "0", "--mqtt-port", "0", "--mqtt-ws-port", "0", "--admin-token", Self.token,
                "--mqtt-allow-anonymous",
            ], quiet: true)
        var simulators: [ChildProcess] = []
        defer { for simulator in simulators { Task { await simulator.stop() } } }
        do {
            let ports = try await ChildProcess.waitForPorts(in: directory)
            let client = DoppelClient(server: "http://127.0.0.1:\(ports.http)", token: Self.token)
            try await setUp(client)

            let latencies = AlertLatencies()
            var subscriber = MQTTClientConfiguration(clientIdentifier: "bench-alerts", keepAlive: 300)
            subscriber.messageHandler = { latencies.record($0) }
            let alerts = try await MQTTClient.connect(host: "127.0.0.1", port: ports.mqtt, configuration: subscriber)
            _ = try await alerts.subscribe([("bench/alerts", .init(qos: .atMostOnce))])

            let progress = (0..<processes).map { _ in SimulatorProgress() }
            for (index, slice) in slices().enumerated() {
                let simulator = try ChildProcess(
                    executable,
                    [
                        "sim", "devices", "--port", String(ports.mqtt), "--prefix", BenchFleet.prefix, "--first", String(slice.lowerBound),
                        "--count", String(slice.count), "--secret", BenchFleet.secret, "--telemetry-rate", String(rate / Double(processes)),
                        "--spike-every", String(spikeEvery), "--duration", String(duration), "--json",
                    ])
                simulators.append(simulator)
                progress[index].follow(simulator)
            }
            try await BenchFleet.wait(timeout: 600, "the devices to connect") { progress.allSatisfy { $0.ready } }
            let start = ContinuousClock.now
            let storedBefore = try await storedCount(client)
            try await BenchFleet.wait(timeout: duration + 120, "the simulators to finish") { progress.allSatisfy { $0.arrivals != nil } }
            let publishSeconds = (ContinuousClock.now - start).seconds
            let published = progress.reduce(0) { $0 + $1.published }
            // Drained: the stored count stops moving.
            var stored = try await storedCount(client)
            var drained = ContinuousClock.now
            while true {
                try await Task.sleep(for: .milliseconds(250))
                let now = try await storedCount(client)
                if now == stored { break }
                stored = now
                drained = ContinuousClock.now
            }
            try? await alerts.disconnect()
            let dropped = try await metric(client, outcome: "queue_full")
            let invalid = try await metric(client, outcome: "invalid")
            let unknown = try await metric(client, outcome: "unknown_twin")
            if invalid + unknown > 0 { print("invalid \(invalid), unknown twin \(unknown)") }
            report(
                published: published, stored: stored - storedBefore, dropped: dropped, publishSeconds: publishSeconds,
                commitSeconds: (drained - start).seconds, latencies: latencies)
        } catch {
            await server.stop()
            throw error
        }
        for simulator in simulators { await simulator.stop() }
        simulators = []
        await server.stop()
    }

    private func slices() -> [Range<Int>] {
        (0..<processes).map { index in (devices * index / processes)..<(devices * (index + 1) / processes) }
    }

    /// Devices, buildings holding them, and the rules.
    private func setUp(_ client: DoppelClient) async throws {
        let secret = JSONValue.object(["secret": .string(BenchFleet.secret)]).encoded()
        let devices = self.devices
        let buildings = self.buildings
        _ = try await concurrently(0..<buildings, width: 8) { building in
            _ = try await client.send("PUT", "/v1/twins/bench-b\(building)", body: JSONValue.object(["$metadata": ["$model": "dtmi:bench:Building;1"]]).encoded())
        }
        _ = try await concurrently(0..<devices, width: 8) { device in
            let id = BenchFleet.prefix + String(device)
            _ = try await client.send("PUT", "/v1/devices/\(id)", body: secret)
            let relationship: JSONValue = ["$relationshipName": "hasPart", "$targetId": .string(id)]
            _ = try await client.send("PUT", "/v1/twins/bench-b\(device % buildings)/relationships/has-\(id)", body: relationship.encoded())
        }
        for index in 0..<rules {
            let building = index % buildings
            var rule: JSONObject = ["scope": .string("SELECT S FROM DIGITALTWINS MATCH (B)-[:hasPart]->(S) WHERE B.$dtId = 'bench-b\(building)'")]
            if index < buildings {
                rule["condition"] = "spike > 0"
                rule["clear"] = ["condition": "spike = 0"]
                rule["actions"] = [["type": "publish", "topic": "bench/alerts", "qos": 0]]
            } else if index % 2 == 0 {
                rule["condition"] = .string("temperature > \(1_000 + index)")
            } else {
                rule["condition"] = .string("avg(temperature, 1m) > \(1_000 + index) OR max(temperature, 5m) > \(2_000 + index)")
            }
            _ = try await client.send("PUT", "/v1/rules/bench-\(index)", body: JSONValue.object(rule).encoded())
        }
    }

    private func storedCount(_ client: DoppelClient) async throws -> Int {
        try await metric(client, outcome: "stored")
    }

    /// `doppel_telemetry_messages_total{outcome="…"}` from `/metrics`.
    private func metric(_ client: DoppelClient, outcome: String) async throws -> Int {
        let text = try await client.text("/metrics")
        for line in text.split(separator: "\n") where line.hasPrefix("doppel_telemetry_messages_total") && line.contains("outcome=\"\(outcome)\"") {
            return Int(Double(line.split(separator: " ").last ?? "0") ?? 0)
        }
        return 0
    }

    private func report(published: Int, stored: Int, dropped: Int, publishSeconds: Double, commitSeconds: Double, latencies: AlertLatencies) {
        let histogram = latencies.histogram
        let percentiles = histogram.totalCount > 0 ? [50.0, 99].map { Double(histogram.valueAtPercentile($0)) / 1_000 } : [0, 0]
        let committedRate = Double(stored) / commitSeconds
        if json {
            let document: JSONValue = [
                "benchmark": "telemetry", "devices": .int(Int64(devices)), "rules": .int(Int64(rules)), "targetRate": .double(rate),
                "published": .int(Int64(published)), "stored": .int(Int64(stored)), "droppedQueueFull": .int(Int64(dropped)),
                "publishSeconds": .double(publishSeconds), "commitSeconds": .double(commitSeconds), "committedPerSecond": .double(committedRate),
                "alerts": .int(Int64(histogram.totalCount)), "alertP50Millis": .double(percentiles[0]), "alertP99Millis": .double(percentiles[1]),
            ]
            print(document.description)
            return
        }
        print("telemetry: \(devices) devices, \(rules) rules, target \(Int(rate)) msg/s for \(duration) s")
        print(String(format: "published %d in %.1f s; stored %d in %.1f s = %.0f msg/s committed; dropped (queue full) %d",
            published, publishSeconds, stored, commitSeconds, committedRate, dropped))
        print(String(format: "publish → alert: %d alerts, p50 %.1f ms, p99 %.1f ms", Int(histogram.totalCount), percentiles[0], percentiles[1]))
    }
}

/// Publish → alert latencies from the alerts' `details.spike` (the send time in wall-clock microseconds).
final class AlertLatencies: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    func record(_ message: MQTTPacket.Publish) {
        let now = wallClockMicroseconds()
        guard let document = try? JSONParser().parse(message.payload.readableBytesView), document["event"]?.stringValue == "raised",
            let sent = document["alert"]?["details"]?["spike"]?.doubleValue, sent > 0, Int64(sent) <= now
        else { return }
        lock.lock()
        _ = recorded.record(UInt64(now - Int64(sent)))
        lock.unlock()
    }

    var histogram: Histogram<UInt64> {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}
