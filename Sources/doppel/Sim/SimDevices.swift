import ArgumentParser
import Broker
import Foundation
import NIOCore
import Sync
import Synchronization
import TwinModel

/// `doppel sim devices`: a fleet of native-dialect devices on any MQTT broker speaking Doppel's topics.
/// Each connects as `{tenant}/{prefix}{index}` with the shared secret, subscribes to its delta topic, and
/// optionally reports every delta back (so its twin converges) and publishes telemetry at a given rate.
///
/// With `--json` it prints one JSON object per line: `{"event":"ready",…}` once every device is
/// subscribed, `{"event":"round",…}` each time the deltas received reach another multiple of the device
/// count, and `{"event":"done",…}` at the end with the wall-clock arrival time of every delta, which
/// `doppel bench fleet` reads.
struct SimDevices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Simulate devices on the native dialect: deltas, reported state and telemetry."
    )

    @Option(help: "Broker host.") var host = "127.0.0.1"
    @Option(help: "Broker port.") var port = 1883
    @Option(help: "The devices' tenant.") var tenant = TwinStore.defaultTenant
    @Option(help: "Device ids are this prefix and an index.") var prefix = "sim-"
    @Option(help: "Index of the first device.") var first = 0
    @Option(help: "How many devices.") var count = 10
    @Option(help: "The secret every simulated device was registered with.") var secret: String
    @Flag(help: "Report each delta's state back, as a device that applies it.") var report = false
    @Option(help: "Telemetry messages per second over all devices of this process (QoS 0, round robin); 0 sends none.")
    var telemetryRate = 0.0
    @Option(help: "Every Nth telemetry message carries `spike` = its send time in wall-clock microseconds (others 0); 0 never.")
    var spikeEvery = 0
    @Option(help: "Stop after this many deltas over all devices; 0 never.") var stopAfterDeltas = 0
    @Option(help: "Stop after this many seconds; 0 runs until interrupted.") var duration = 0.0
    @Option(help: "Connections opened at once.") var connectConcurrency = 64
    @Flag(help: "Print JSON lines instead of text.") var json = false

    func validate() throws {
        guard count >= 1, first >= 0, connectConcurrency >= 1 else { throw ValidationError("--count and --connect-concurrency must be positive") }
        guard telemetryRate >= 0, spikeEvery >= 0, stopAfterDeltas >= 0, duration >= 0 else {
            throw ValidationError("rates, times and counts may not be negative")
        }
    }

    func run() async throws {
        let files = FileLimit.raise()
        guard count + 64 <= files else { throw ValidationError("\(count) devices need \(count + 64) open files; the limit is \(files)") }
        let deltas = DeltaLog()
        let started = ContinuousClock.now
        let devices = try await connectAll(deltas: deltas)
        emit(["event": "ready", "devices": .int(Int64(devices.count)), "connectSeconds": .double((ContinuousClock.now - started).seconds)])
        let published = Tally()
        let telemetry = telemetryRate > 0 ? Task { try await publishTelemetry(devices, published: published) } : nil
        let deadline = duration > 0 ? ContinuousClock.now + .seconds(duration) : nil
        var rounds = 0
        while !Task.isCancelled {
            let received = deltas.count
            // A round: as many deltas as devices (each device's delta of one fleet-wide change).
            if received >= devices.count * (rounds + 1) {
                rounds = received / devices.count
                emit(["event": "round", "rounds": .int(Int64(rounds)), "deltas": .int(Int64(received))])
            }
            if stopAfterDeltas > 0, received >= stopAfterDeltas { break }
            if let deadline, ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        telemetry?.cancel()
        _ = await telemetry?.result
        let arrivals = deltas.arrivals
        emit([
            "event": "done", "deltas": .int(Int64(arrivals.count)), "arrivalsMicros": .array(arrivals.map { .int($0) }),
            "published": .int(Int64(published.value)),
        ])
        for device in devices { try? await device.disconnect() }
    }

    /// Every device's connection, in device order.
    private func connectAll(deltas: DeltaLog) async throws -> [MQTTClient] {
        let (host, port) = (self.host, self.port)
        return try await concurrently(first..<(first + count), width: connectConcurrency) { index in
            try await self.connect(index, host: host, port: port, deltas: deltas)
        }
    }

    private func connect(_ index: Int, host: String, port: Int, deltas: DeltaLog) async throws -> MQTTClient {
        let id = prefix + String(index)
        let topics = DeviceTopic.prefix(tenant: tenant, device: id)
        let client = Mutex<MQTTClient?>(nil)
        let report = self.report
        var configuration = MQTTClientConfiguration(
            clientIdentifier: id, keepAlive: 300, username: "\(tenant)/\(id)", password: ByteBuffer(string: secret))
        configuration.messageHandler = { message in
            guard message.topicName == topics + "twin/desired" else { return }
            deltas.record(wallClockMicroseconds())
            guard report, let delta = try? JSONParser().parse(message.payload.readableBytesView), let state = delta["state"],
                let device = client.withLock({ $0 })
            else { return }
            try? device.publishNoWait(topic: topics + "twin/reported", payload: ByteBuffer(bytes: state.encoded()))
        }
        let connected = try await MQTTClient.connect(host: host, port: port, configuration: configuration)
        client.withLock { $0 = connected }
        let codes = try await connected.subscribe([(topics + "twin/desired", .init(qos: .atLeastOnce))])
        guard let code = codes.first, !code.isFailure else { throw MQTTClientError.connectionRefused(codes.first ?? .unspecifiedError) }
        return connected
    }

    /// Publishes `telemetryRate` messages a second, round robin over the devices, in steps of a few
    /// milliseconds: `{"temperature": …, "spike": 0}`, or the send time in `spike` for every `spikeEvery`th.
    private func publishTelemetry(_ devices: [MQTTClient], published: Tally) async throws {
        let topics = devices.indices.map { DeviceTopic.prefix(tenant: tenant, device: prefix + String(first + $0)) + "telemetry" }
        let start = ContinuousClock.now
        var sent = 0
        while !Task.isCancelled {
            let due = Int(telemetryRate * (ContinuousClock.now - start).seconds) - sent
            guard due > 0 else {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            for _ in 0..<min(due, 10_000) {
                sent += 1
                let isSpike = spikeEvery > 0 && sent % spikeEvery == 0
                // Spikes go round the devices on their own, so every device gets some whatever the counts.
                let index = isSpike ? (sent / spikeEvery) % devices.count : sent % devices.count
                let spike = isSpike ? wallClockMicroseconds() : 0
                let temperature = 20 + Double(sent % 100) / 10
                try? devices[index].publishNoWait(
                    topic: topics[index], payload: ByteBuffer(string: #"{"temperature":\#(temperature),"spike":\#(spike)}"#))
            }
            published.value = sent
        }
    }

    private func emit(_ event: JSONObject) {
        // Written at once, unbuffered: a parent process waits for these lines.
        let line = json
            ? JSONValue.object(event).description
            : event.filter { $0.key != "arrivalsMicros" }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Wall-clock arrival times of deltas, from every connection's event loop.
final class DeltaLog: Sendable {
    private let times = Mutex<[Int64]>([])

    func record(_ microseconds: Int64) {
        times.withLock { $0.append(microseconds) }
    }

    var count: Int { times.withLock { $0.count } }
    var arrivals: [Int64] { times.withLock { $0 } }
}

/// A count one task writes and others read.
final class Tally: Sendable {
    private let storage = Mutex(0)

    var value: Int {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
