import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store reported batches")
struct StoreBatchTests {
    let tenant = StoreFixture.tenant

    private static func temperature(_ seq: Int) -> Double { 20 + Double(seq % 100) / 8 + 0.125 }

    @Test func tenThousandPatchesOverAThousandTwinsInOneCall() async throws {
        let (store, queue) = try StoreFixture.memory()
        let twins = (0..<1_000).map { String(format: "dev-%04d", $0) }
        try await StoreFixture.createTwins(twins, in: store, at: StoreFixture.at(1_000))
        let historyBefore = try StoreFixture.count("SELECT COUNT(*) FROM history", in: queue)
        #expect(historyBefore == 0)

        // Round-robin so that each twin's patches are spread through the batch: item i goes to twin i % 1000.
        var batch: [ReportedPatch] = []
        batch.reserveCapacity(10_000)
        for seq in 0..<10_000 {
            batch.append(ReportedPatch(
                tenant: tenant, twin: twins[seq % 1_000],
                patch: ["seq": .int(Int64(seq)), "temp": .double(Self.temperature(seq))], changedBy: "ingest"))
        }
        let outcomes = try await store.applyReported(batch, at: StoreFixture.at(5_000))
        #expect(outcomes.count == 10_000)

        var failures = 0
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let result):
                let round = Int64(index / 1_000) + 1
                if result.reportedVersion != round || result.twinVersion != round + 1 {
                    Issue.record("item \(index): \(result), expected reported \(round), twin \(round + 1)")
                }
            case .failure(let error):
                failures += 1
                if failures < 5 { Issue.record("item \(index) failed: \(error)") }
            }
        }
        #expect(failures == 0)

        for (number, id) in twins.enumerated() {
            let twin = try #require(try await store.twin(id, in: tenant))
            let lastSeq = 9_000 + number
            if twin.reported.version != 10 || twin.version != 11 || twin.reported.value["seq"] != .int(Int64(lastSeq))
                || twin.reported.value["temp"] != .double(Self.temperature(lastSeq)) || twin.updatedAt != StoreFixture.at(5_000)
            {
                Issue.record("\(id): reported v\(twin.reported.version), twin v\(twin.version), reported \(JSONValue.object(twin.reported.value))")
            }
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history", in: queue) == 10_000)
        #expect(try StoreFixture.count("SELECT COUNT(DISTINCT twin) FROM history", in: queue) == 1_000)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history WHERE section = 'reported' AND changed_by = 'ingest' AND at = 5000", in: queue) == 10_000)

        let events = try await store.history(of: "dev-0007", in: tenant)
        #expect(events.map(\.version) == Array(1...10))
        let sentSeqs: [JSONValue?] = (0..<10).map { round -> JSONValue? in JSONValue.int(Int64(round * 1_000 + 7)) }
        let storedSeqs: [JSONValue?] = events.map { event -> JSONValue? in event.after["seq"] }
        #expect(storedSeqs == sentSeqs)
        #expect(events.first?.before == ["seq": nil, "temp": nil])
        #expect(events.last?.before == ["seq": .int(8_007), "temp": .double(Self.temperature(8_007))])
    }

    /// Nine strings of 4 000 bytes: each member is valid, together they pass the reported section's 32 KiB.
    private static let oversized: JSONObject = {
        var object = JSONObject()
        for i in 0..<9 { object["s\(i)"] = .string(String(repeating: "x", count: 4_000)) }
        return object
    }()

    @Test func mixedBatchFailsOnlyTheBadItems() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a", "b"], in: store)
        try await store.ensureTenant("t2")
        try await StoreFixture.createTwins(["a"], in: store, tenant: "t2")
        let batch = [
            ReportedPatch(tenant: tenant, twin: "a", patch: ["x": 1], changedBy: "d"),  // ok
            ReportedPatch(tenant: tenant, twin: "ghost", patch: ["x": 1], changedBy: "d"),  // unknown twin
            ReportedPatch(tenant: tenant, twin: "b", patch: ["$bad": 1, "y": 2], changedBy: "d"),  // invalid key
            ReportedPatch(tenant: tenant, twin: "b", patch: ["y": 3], changedBy: "d"),  // ok
            ReportedPatch(tenant: tenant, twin: "a", patch: ["nested": ["k$": 1], "x": 5], changedBy: "d"),  // invalid nested key
            ReportedPatch(tenant: "t2", twin: "a", patch: ["x": 100], changedBy: "d"),  // ok, other tenant
            ReportedPatch(tenant: "nowhere", twin: "a", patch: ["x": 1], changedBy: "d"),  // unknown tenant: no such twin
            ReportedPatch(tenant: tenant, twin: "a", patch: ["x": 2, "z": nil], changedBy: "d"),  // ok
            ReportedPatch(tenant: tenant, twin: "b", patch: Self.oversized, changedBy: "d"),  // reported would pass 32 KiB
        ]
        let outcomes = try await store.applyReported(batch, at: StoreFixture.at(9_000))
        #expect(outcomes.count == batch.count)
        guard outcomes.count == batch.count else { return }

        #expect(outcomes[0] == .success(ReportedOutcome(reportedVersion: 1, twinVersion: 2)))
        #expect(outcomes[1] == .failure(.twinNotFound("ghost")))
        #expect(outcomes[2] == .failure(.invalidKey(path: "reported.$bad", reason: "member names may not contain '$'")))
        #expect(outcomes[3] == .success(ReportedOutcome(reportedVersion: 1, twinVersion: 2)))
        #expect(outcomes[4] == .failure(.invalidKey(path: "reported.nested.k$", reason: "member names may not contain '$'")))
        #expect(outcomes[5] == .success(ReportedOutcome(reportedVersion: 1, twinVersion: 2)))
        #expect(outcomes[6] == .failure(.twinNotFound("a")))
        #expect(outcomes[7] == .success(ReportedOutcome(reportedVersion: 2, twinVersion: 3)))
        guard case .failure(.sectionTooLarge(section: "reported", _, limit: 32 * 1024)) = outcomes[8] else {
            Issue.record("expected sectionTooLarge, got \(outcomes[8])")
            return
        }

        // No partial changes from the invalid items: b has no "y": 2 nor "s0"…, and a has no "nested".
        let a = try #require(try await store.twin("a", in: tenant))
        #expect(a.reported.value == ["x": 2])
        #expect(a.reported.version == 2 && a.version == 3)
        #expect(a.reported.metadata.members.keys.sorted() == ["x"])
        let b = try #require(try await store.twin("b", in: tenant))
        #expect(Array(b.reported.value.keys) == ["y"])  // keys only, so a failure does not print 36 KB
        #expect(b.reported.value["y"] == 3)
        #expect(b.reported.version == 1 && b.version == 2)
        let other = try #require(try await store.twin("a", in: "t2"))
        #expect(other.reported.value == ["x": 100])
        #expect(try await store.history(of: "b", in: tenant).map(\.after) == [["y": 3]])
        #expect(try await store.history(of: "a", in: tenant).map(\.after) == [["x": 1], ["x": 2, "z": nil]])
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history", in: queue) == 4)
        #expect(try await store.twin("ghost", in: tenant) == nil)
    }

    @Test func batchWhoseOnlyItemsFailChangesNothing() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a"], in: store, at: StoreFixture.at(1_000))
        let before = try #require(try await store.twin("a", in: tenant))
        let outcomes = try await store.applyReported(
            [
                ReportedPatch(tenant: tenant, twin: "a", patch: ["bad key": 1], changedBy: "d"),
                ReportedPatch(tenant: tenant, twin: "a", patch: ["": 1], changedBy: "d"),
            ], at: StoreFixture.at(2_000))
        #expect(outcomes.allSatisfy { if case .failure(.invalidKey) = $0 { true } else { false } })
        #expect(try await store.twin("a", in: tenant) == before)
        #expect(try await store.history(of: "a", in: tenant).isEmpty)
        #expect(try await store.applyReported([]).isEmpty)
    }

    @Test func batchInteractsWithOtherWrites() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a"], in: store)
        try await store.patchTwin("a", section: .desired, with: .merge(["want": 1]), in: tenant, changedBy: "op")
        let outcomes = try await store.applyReported(
            [ReportedPatch(tenant: tenant, twin: "a", patch: ["want": 1], changedBy: "d")], at: StoreFixture.at(3_000))
        #expect(outcomes == [.success(ReportedOutcome(reportedVersion: 1, twinVersion: 3))])
        let twin = try #require(try await store.twin("a", in: tenant))
        #expect(twin.version == 3)
        #expect(twin.desired.value == ["want": 1])
        #expect(twin.delta == nil)
        let after = try await store.patchTwin("a", section: .reported, with: .merge(["more": true]), in: tenant, changedBy: "d")
        #expect(after.reported.version == 2 && after.version == 4)
        #expect(after.reported.value == ["want": 1, "more": true])
    }
}
