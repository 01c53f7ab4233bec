import Testing
@testable import TwinModel

@Suite("Telemetry retention: settings, downsampling and expiry")
struct TelemetryRetentionTests {
    let tenant = StoreFixture.tenant

    @Test func deadbandAndMinimumIntervalKeepWhatChanged() {
        var downsampler = Downsampler(rules: [
            DownsamplingRule(metric: "t", deadband: 0.5), DownsamplingRule(metric: "*", minimumInterval: 60_000),
        ])
        let t = [(0, 20.0), (1, 20.2), (2, 20.6), (3, 20.9), (4, 21.2)].map { downsampler.keep(twin: "a", metric: "t", at: Int64($0.0), value: $0.1) }
        #expect(t == [true, false, true, false, true])
        let h = [(0, 1.0), (30_000, 9.0), (60_000, 2.0), (90_000, 3.0)].map { downsampler.keep(twin: "a", metric: "h", at: Int64($0.0), value: $0.1) }
        #expect(h == [true, false, true, false], "* applies the minimum interval")
        let otherTwin = downsampler.keep(twin: "b", metric: "t", at: 1, value: 20.1)
        #expect(otherTwin, "each twin has its own last value")
    }

    @Test func settingsRoundTripAndExpiredPointsGoWhileRollupsStay() async throws {
        let (store, queue) = try StoreFixture.memory()
        #expect(try await store.telemetrySettings(of: tenant) == TelemetrySettings())
        let settings = TelemetrySettings(rawRetention: 3_600_000, rollupRetention: 86_400_000, downsampling: [DownsamplingRule(metric: "t", deadband: 1)])
        try await store.setTelemetrySettings(settings, of: tenant)
        #expect(try await store.telemetrySettings(of: tenant) == settings)

        try await StoreFixture.createTwins(["s"], in: store)
        let messages = try [1_000, 2_000, 5_000_000].map {
            try TelemetryMessage(tenant: tenant, twin: "s", payload: Array(#"{"t": 1}"#.utf8), receivedAt: StoreFixture.at(Int64($0)))
        }
        _ = try await store.appendTelemetry(messages)
        #expect(try await store.tenantsWithTelemetry().contains(tenant))
        let expiring = try await store.expiringTelemetryPoints(in: tenant, before: StoreFixture.at(10_000), limit: 10)
        #expect(expiring.map(\.at) == [1_000, 2_000] && expiring.allSatisfy { $0.twin == "s" && $0.metric == "t" })
        try await store.deleteExpiredTelemetry(
            points: expiring.map(\.row), in: tenant, logBefore: StoreFixture.at(10_000), rollupsBefore: StoreFixture.at(0))
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM telemetry_point", in: queue) == 1)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM telemetry_log", in: queue) == 1)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM telemetry_rollup", in: queue) == 4, "two minutes and two hours")
    }

    @Test func durationsFormatInTheirLargestWholeUnit() {
        #expect(DurationText.format(604_800_000) == "7d" && DurationText.format(5_400_000) == "90m")
        #expect(DurationText.format(90_000) == "90s" && DurationText.format(1_500) == "1500ms")
    }
}
