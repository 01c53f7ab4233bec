import Testing
@testable import TwinModel

@Suite("Telemetry: messages, the log, series and rollups")
struct TelemetryStoreTests {
    let tenant = StoreFixture.tenant

    private func message(_ twin: String, _ json: String, at milliseconds: Int64) throws -> TelemetryMessage {
        try TelemetryMessage(tenant: tenant, twin: twin, payload: Array(json.utf8), receivedAt: StoreFixture.at(milliseconds))
    }

    @Test func parsesMetricsAndTheDeviceTimeInEveryForm() throws {
        let parsed = try message("d", #"{"t": 21.5, "ok": true, "energy": {"kwh": 3}, "mode": "eco", "ts": "2026-11-27T10:00:00.500Z"}"#, at: 1_795_000_000_000)
        #expect(parsed.deviceTime == Timestamp(milliseconds: 1_795_773_600_500))
        #expect(parsed.values["ts"] == nil && parsed.values["mode"] == "eco")
        #expect(parsed.numericMetrics.map(\.name).sorted() == ["energy.kwh", "ok", "t"])
        #expect(try message("d", #"{"t": 1, "ts": 1795773600}"#, at: 0).deviceTime == Timestamp(milliseconds: 1_795_773_600_000))
        #expect(try message("d", #"{"t": 1, "ts": 1795773600123}"#, at: 0).deviceTime == Timestamp(milliseconds: 1_795_773_600_123))
        #expect(try message("d", #"{"t": 1, "ts": "2026-11-27T11:00:00+01:00"}"#, at: 0).deviceTime == Timestamp(milliseconds: 1_795_773_600_000))
        #expect(try message("d", #"{"t": 1}"#, at: 5).skewMilliseconds == nil)
    }

    @Test(arguments: [
        ("nope", TelemetryMessage.Problem.notJSON("")), ("[1]", .notAnObject), (#"{"ts": "soon", "t": 1}"#, .badTimestamp("")),
        (#"{"ts": 5}"#, .empty),
    ])
    func refusesWhatIsNoTelemetry(payload: String, problem: TelemetryMessage.Problem) {
        #expect {
            _ = try TelemetryMessage(tenant: "default", twin: "d", payload: Array(payload.utf8), receivedAt: .now)
        } throws: { error in
            switch (error as? TelemetryMessage.Problem, problem) {
            case (.notJSON?, .notJSON), (.notAnObject?, .notAnObject), (.badTimestamp?, .badTimestamp), (.empty?, .empty): true
            default: false
            }
        }
    }

    @Test func aBatchFillsTheLogTheSeriesTheRollupsAndTheTwin() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["s1", "s2"], in: store)
        let minute: Int64 = 1_795_773_600_000
        let batch = [
            try message("s1", #"{"t": 10, "mode": "a"}"#, at: minute + 1_000),
            try message("ghost", #"{"t": 99}"#, at: minute + 2_000),
            try message("s1", #"{"t": 30}"#, at: minute + 3_000),
            try message("s2", #"{"t": 5}"#, at: minute + 4_000),
            try message("s1", #"{"t": 20, "ts": 1795773000000}"#, at: minute + 61_000),
        ]
        let offsets = try await store.appendTelemetry(batch)
        #expect(offsets[1] == nil && offsets.compactMap { $0 } == offsets.compactMap { $0 }.sorted())
        #expect(offsets.compactMap { $0 }.count == 4)

        let log = try await store.telemetryLog(in: tenant, fromOffset: 0, limit: 10)
        #expect(log.map(\.twin) == ["s1", "s1", "s2", "s1"] && log.last?.deviceTime == Timestamp(milliseconds: 1_795_773_000_000))
        #expect(try await store.telemetryLog(in: tenant, fromOffset: log[2].offset, limit: 10).count == 2)
        #expect(try await store.telemetryLog(in: "other", fromOffset: 0, limit: 10).isEmpty, "tenants see only their own")
        #expect(try await store.telemetryOffset(at: StoreFixture.at(minute + 3_500)) == log[2].offset)
        #expect(try await store.telemetryOffset(at: StoreFixture.at(minute + 999_999)) == log[3].offset + 1)

        let last = try await store.lastTelemetry(of: "s1", in: tenant)
        #expect(last.values == ["t": 20, "mode": "a"] && last.receivedAt == StoreFixture.at(minute + 61_000))
        #expect(last.skewMilliseconds == minute + 61_000 - 1_795_773_000_000)

        let range = (StoreFixture.at(minute), StoreFixture.at(minute + 3_600_000))
        let raw = try await store.telemetryPoints(of: "s1", metric: "t", in: tenant, from: range.0, to: range.1, limit: 10)
        #expect(raw.map(\.value) == [10, 30, 20])
        func aggregate(_ interval: Int64, _ kind: TelemetryAggregate) async throws -> [Double] {
            try await store.telemetryAggregates(of: "s1", metric: "t", in: tenant, from: range.0, to: range.1, interval: interval, aggregate: kind)
                .map(\.value)
        }
        #expect(try await aggregate(60_000, .avg) == [20, 20])
        #expect(try await aggregate(60_000, .max) == [30, 20])
        #expect(try await aggregate(60_000, .last) == [30, 20])
        #expect(try await aggregate(3_600_000, .count) == [3])
        #expect(try await aggregate(3_600_000, .min) == [10])
        #expect(try await aggregate(120_000, .sum) == [60], "two minute rollups merged")
        #expect(try await aggregate(7_000, .count) == [1, 1, 1], "raw points grouped")

        // A later batch merges into the stored rollups.
        _ = try await store.appendTelemetry([try message("s1", #"{"t": 50}"#, at: minute + 59_000)])
        #expect(try await aggregate(60_000, .max) == [50, 20])
        #expect(try await aggregate(60_000, .last) == [50, 20])
    }

    @Test func durationsReadTheirUnits() {
        #expect(DurationText.milliseconds("500ms") == 500 && DurationText.milliseconds("30s") == 30_000)
        #expect(DurationText.milliseconds("5m") == 300_000 && DurationText.milliseconds("2h") == 7_200_000)
        #expect(DurationText.milliseconds("1d") == 86_400_000)
        for bad in ["", "m", "0s", "-5m", "5", "5 m", "1.5h", "5w"] { #expect(DurationText.milliseconds(bad) == nil, "\(bad)") }
    }
}
