import ArgumentParser
import Foundation
import Synchronization
import TwinModel

/// `doppel bench fleet`: one fleet-wide desired change (`POST /v1/fleet/desired`) to N connected devices.
///
/// Runs a `doppel serve` on a fresh data directory and `doppel sim devices` in processes of their own (a
/// process may open only so many files), registers the devices, connects them, then makes the change
/// `--changes` times, each after every device got the previous delta. It reports, per change, how long the
/// HTTP call took (the commit), when the last delta arrived, the spread of arrivals and deltas per second.
struct BenchFleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Measure a fleet-wide desired change: one HTTP call, a delta to every connected device."
    )

    @Option(help: "Simulated devices.") var devices = 1_000
    @Option(help: "Simulator processes the devices are spread over.") var processes = 2
    @Option(help: "Fleet-wide changes to make, one after the other.") var changes = 3
    @Option(help: "Device registrations sent at once.") var registerConcurrency = 8
    @Option(help: "Seconds to wait for a change's deltas before giving up.") var timeout = 60.0
    @Flag(help: "Print one JSON object instead of text.") var json = false

    static let token = "bench-fleet-admin-token-0123456789"
    static let secret = "bench-fleet-device-secret"
    static let prefix = "fleet-"

    func validate() throws {
        guard devices >= 1, processes >= 1, processes <= devices, changes >= 1, registerConcurrency >= 1, timeout > 0 else {
            throw ValidationError("--devices, --processes (at most --devices), --changes, --register-concurrency and --timeout must be positive")
        }
    }

    func run() async throws {
        guard let executable = Bundle.main.executablePath else { throw CommandError("cannot find the doppel executable") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-bench-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ChildProcess(
            executable,
            ["serve", "--data", directory.path, "--http-port", "0", "--mqtt-port", "0", "--mqtt-ws-port", "0", "--admin-token", Self.token],
            quiet: true)
        var simulators: [ChildProcess] = []
        do {
            let ports = try await ChildProcess.waitForPorts(in: directory)
            let http = "http://127.0.0.1:\(ports.http)"
            let client = DoppelClient(server: http, token: Self.token)
            let registerStart = ContinuousClock.now
            try await register(with: client)
            let registerSeconds = (ContinuousClock.now - registerStart).seconds

            let connectStart = ContinuousClock.now
            let progress = (0..<processes).map { _ in SimulatorProgress() }
            for (index, slice) in slices().enumerated() {
                let simulator = try ChildProcess(
                    executable,
                    [
                        "sim", "devices", "--port", String(ports.mqtt), "--prefix", Self.prefix, "--first", String(slice.lowerBound),
                        "--count", String(slice.count), "--secret", Self.secret, "--stop-after-deltas", String(slice.count * changes),
                        "--duration", String(Int(timeout) * (changes + 2) + 600), "--json",
                    ])
                simulators.append(simulator)
                progress[index].follow(simulator)
            }
            try await Self.wait(timeout: timeout * 10, "the devices to connect") { progress.allSatisfy { $0.ready } }
            let connectSeconds = (ContinuousClock.now - connectStart).seconds

            var results: [ChangeResult] = []
            for change in 1...changes {
                let start = wallClockMicroseconds()
                let body: JSONValue = ["patch": ["setpoint": .int(Int64(change)), "bench": .string("change \(change)")]]
                let answer = try await client.send("POST", "/v1/fleet/desired", body: body.encoded())
                let committed = wallClockMicroseconds()
                guard answer["changed"]?.intValue == Int64(devices) else { throw CommandError("the fleet call changed \(answer) twins") }
                try await Self.wait(timeout: timeout, "change \(change)'s deltas") { progress.allSatisfy { $0.rounds >= change } }
                results.append(ChangeResult(start: start, committed: committed))
            }
            try await Self.wait(timeout: timeout, "the simulators' reports") { progress.allSatisfy { $0.arrivals != nil } }
            let arrivals = progress.map { ($0.arrivals ?? []).sorted() }
            for index in results.indices {
                // Change k's deltas are each simulator's k-th slice of arrivals: the next change waited for them.
                for (simulator, slice) in zip(arrivals, slices()) {
                    let round = simulator.dropFirst(index * slice.count).prefix(slice.count)
                    results[index].arrivals += round
                }
            }
            report(results, registerSeconds: registerSeconds, connectSeconds: connectSeconds)
        } catch {
            for simulator in simulators { await simulator.stop() }
            await server.stop()
            throw error
        }
        for simulator in simulators { await simulator.stop() }
        await server.stop()
    }

    /// The device indexes of each simulator process.
    private func slices() -> [Range<Int>] {
        (0..<processes).map { index in
            (devices * index / processes)..<(devices * (index + 1) / processes)
        }
    }

    private func register(with client: DoppelClient) async throws {
        let body = JSONValue.object(["secret": .string(Self.secret)]).encoded()
        _ = try await concurrently(0..<devices, width: registerConcurrency) { index in
            _ = try await client.send("PUT", "/v1/devices/\(Self.prefix)\(index)", body: body)
        }
    }

    static func wait(timeout: Double, _ what: String, until done: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !done() {
            guard ContinuousClock.now < deadline else { throw CommandError("gave up waiting for \(what) after \(Int(timeout)) s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    struct ChangeResult {
        var start: Int64
        var committed: Int64
        var arrivals: [Int64] = []

        var commitMillis: Double { Double(committed - start) / 1_000 }
        var lastMillis: Double { Double((arrivals.max() ?? start) - start) / 1_000 }

        func percentileMillis(_ percentile: Double) -> Double {
            let sorted = arrivals.sorted()
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1)
            return Double(sorted[max(index, 0)] - start) / 1_000
        }

        var deltasPerSecond: Double { Double(arrivals.count) / max(lastMillis / 1_000, 1e-6) }
    }

    private func report(_ results: [ChangeResult], registerSeconds: Double, connectSeconds: Double) {
        if json {
            let changes: [JSONValue] = results.map { result in
                [
                    "deltas": .int(Int64(result.arrivals.count)), "commitMillis": .double(result.commitMillis),
                    "p50Millis": .double(result.percentileMillis(50)), "p99Millis": .double(result.percentileMillis(99)),
                    "lastMillis": .double(result.lastMillis), "deltasPerSecond": .double(result.deltasPerSecond),
                ]
            }
            let document: JSONValue = [
                "benchmark": "fleet", "devices": .int(Int64(devices)), "processes": .int(Int64(processes)),
                "registerSeconds": .double(registerSeconds), "connectSeconds": .double(connectSeconds), "changes": .array(changes),
            ]
            print(document.description)
            return
        }
        print("fleet-wide desired change to \(devices) connected devices (\(processes) simulator processes)")
        print(String(format: "registered in %.1f s, connected and subscribed in %.1f s", registerSeconds, connectSeconds))
        for (index, result) in results.enumerated() {
            print(
                String(
                    format: "change %d: %d deltas; HTTP call (commit) %.0f ms; arrivals p50 %.0f ms, p99 %.0f ms, last %.0f ms; %.0f deltas/s",
                    index + 1, result.arrivals.count, result.commitMillis, result.percentileMillis(50), result.percentileMillis(99),
                    result.lastMillis, result.deltasPerSecond))
        }
    }
}

/// What one simulator process has said: ready, rounds of deltas complete, and at the end its arrivals.
final class SimulatorProgress: Sendable {
    private struct State {
        var ready = false
        var rounds = 0
        var arrivals: [Int64]?
        var published = 0
    }

    private let state = Mutex(State())

    var ready: Bool { state.withLock { $0.ready } }
    var rounds: Int { state.withLock { $0.rounds } }
    var arrivals: [Int64]? { state.withLock { $0.arrivals } }
    /// Telemetry messages it published, once done.
    var published: Int { state.withLock { $0.published } }

    /// Reads the simulator's JSON lines until its output ends.
    func follow(_ simulator: ChildProcess) {
        Task {
            for await line in simulator.lines {
                guard let event = try? JSONParser().parse(Array(line.utf8)) else { continue }
                state.withLock { state in
                    switch event["event"]?.stringValue {
                    case "ready": state.ready = true
                    case "round": state.rounds = Int(event["rounds"]?.intValue ?? 0)
                    case "done":
                        state.arrivals = event["arrivalsMicros"]?.arrayValue?.compactMap(\.intValue) ?? []
                        state.published = Int(event["published"]?.intValue ?? 0)
                    default: break
                    }
                }
            }
        }
    }
}
