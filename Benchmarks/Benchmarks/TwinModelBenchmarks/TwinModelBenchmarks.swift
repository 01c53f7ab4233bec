import Benchmark
import Foundation
import Logging
import TwinModel

/// A 200-byte telemetry document, as a smart meter or sensor sends it.
let telemetryText = """
    {"ts":1764240000123,"temperature":21.73,"humidity":48.2,"co2":612,"occupancy":true,"battery":0.87,\
    "rssi":-67,"firmware":"2.4.1","status":"ok","energy":{"kwh":1234.567,"power":412.5,"voltage":229.8}}
    """
let telemetryBytes = Array(telemetryText.utf8)

/// Twins in the store the reported-state benchmark writes to.
let twinCount = 10_000
/// Patches per transaction, the size of one ingest batch.
let batchSize = 10_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 3)

    Benchmark("JSON decode 200 B telemetry - Doppel JSONParser") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONParser().parse(telemetryBytes))
        }
    }

    Benchmark("JSON decode 200 B telemetry - Foundation JSONSerialization") { benchmark in
        let data = Data(telemetryBytes)
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.jsonObject(with: data))
        }
    }

    let parsed = try! JSONParser().parse(telemetryBytes)
    let foundationObject = try! JSONSerialization.jsonObject(with: Data(telemetryBytes))

    Benchmark("JSON encode 200 B telemetry - Doppel JSONValue") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(parsed.encoded())
        }
    }

    Benchmark("JSON encode 200 B telemetry - Foundation JSONSerialization") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.data(withJSONObject: foundationObject))
        }
    }

    // One iteration = one transaction of `batchSize` reported patches spread over `twinCount` twins;
    // the throughput metric is therefore batches per second (× batchSize = patches per second).
    Benchmark(
        "Reported patches into SQLite, \(batchSize) per transaction",
        configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(20), maxIterations: 30)
    ) { (benchmark: Benchmark, store: TwinStore) in
        var sequence: Int64 = 0
        for _ in benchmark.scaledIterations {
            var batch: [ReportedPatch] = []
            batch.reserveCapacity(batchSize)
            for index in 0..<batchSize {
                sequence += 1
                let patch: JSONObject = [
                    "temperature": .double(20 + Double(sequence % 100) / 10),
                    "seq": .int(sequence),
                    "status": "ok",
                ]
                batch.append(ReportedPatch(tenant: "default", twin: "meter-\(index % twinCount)", patch: patch, changedBy: "bench"))
            }
            benchmark.startMeasurement()
            let outcomes = try await store.applyReported(batch)
            benchmark.stopMeasurement()
            precondition(outcomes.allSatisfy { if case .success = $0 { true } else { false } })
        }
    } setup: {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try TwinStore(path: directory.appendingPathComponent("doppel.sqlite").path, logger: Logger(label: "bench"))
        for index in 0..<twinCount {
            try await store.putTwin("meter-\(index)", model: "dtmi:doppel:Meter;1", properties: [:], in: "default", changedBy: "bench")
        }
        return store
    }
}
