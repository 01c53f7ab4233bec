import Testing
@testable import TwinModel

/// A twin deleted and created again under the same id is another twin: other etags, its own history.
@Suite("Store re-created twins")
struct StoreIncarnationTests {
    let tenant = StoreFixture.tenant

    @Test func recreatedTwinHasOtherEtagsEvenInTheSameMillisecond() async throws {
        let (store, _) = try StoreFixture.memory()
        let time = StoreFixture.at(5_000)
        let (first, _) = try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a", at: time)
        try await store.deleteTwin("t", in: tenant)
        let (second, created) = try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a", at: time)
        #expect(created)
        #expect(first.version == second.version)
        #expect(first.etag != second.etag)
        // The deleted twin's etag no longer matches anything.
        await #expect(throws: TwinModelError.preconditionFailed(expected: first.etag, actual: second.etag)) {
            try await store.patchTwin("t", section: .desired, with: .merge(["a": 1]), in: tenant, ifMatch: first.etag, changedBy: "a")
        }
    }

    @Test func recreatedTwinStartsWithItsOwnHistory() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a", at: StoreFixture.at(1_000))
        try await store.patchTwin("t", section: .desired, with: .merge(["old": 1]), in: tenant, changedBy: "a", at: StoreFixture.at(2_000))
        try await store.deleteTwin("t", in: tenant)
        try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "b", at: StoreFixture.at(3_000))
        try await store.patchTwin("t", section: .desired, with: .merge(["new": 1]), in: tenant, changedBy: "b", at: StoreFixture.at(4_000))

        let history = try await store.history(of: "t", in: tenant)
        #expect(history.map(\.after) == [["new": 1]])
        #expect(history.map(\.version) == [1])
        // The earlier twin's events stay in the store for audit.
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history WHERE twin = 't'", in: queue) == 2)
        // State before the new twin's change is its own empty desired section, not the old twin's.
        #expect(try await store.section(.desired, of: "t", in: tenant, at: StoreFixture.at(3_500)) == [:])
    }

    @Test func jsonPatchCannotStoreNull() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a")
        let patch = try StoreFixture.jsonPatch(#"[{"op":"add","path":"/n","value":{"inner":null}}]"#)
        await #expect(throws: TwinModelError.nullValue(path: "desired.n.inner")) {
            try await store.patchTwin("t", section: .desired, with: .json(patch), in: tenant, changedBy: "a")
        }
        #expect(try await store.twin("t", in: tenant)?.desired.version == 0)
    }

    @Test func batchAfterAnotherWriteSeesThatWrite() async throws {
        // The batch path keeps committed reported state in memory; every other write must invalidate it.
        let (store, _) = try StoreFixture.memory()
        try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a")
        _ = try await store.applyReported([ReportedPatch(tenant: tenant, twin: "t", patch: ["a": 1], changedBy: "d")])
        try await store.patchTwin("t", section: .reported, with: .merge(["b": 2]), in: tenant, changedBy: "api")
        _ = try await store.applyReported([ReportedPatch(tenant: tenant, twin: "t", patch: ["c": 3], changedBy: "d")])
        let twin = try #require(try await store.twin("t", in: tenant))
        #expect(twin.reported.value == ["a": 1, "b": 2, "c": 3])
        #expect(twin.reported.version == 3)
        #expect(twin.version == 4)

        try await store.deleteTwin("t", in: tenant)
        try await store.putTwin("t", model: nil, properties: [:], in: tenant, changedBy: "a")
        let outcome = try await store.applyReported([ReportedPatch(tenant: tenant, twin: "t", patch: ["z": 0], changedBy: "d")])
        #expect(try outcome[0].get() == ReportedOutcome(reportedVersion: 1, twinVersion: 2))
        #expect(try await store.twin("t", in: tenant)?.reported.value == ["z": 0])
    }
}
