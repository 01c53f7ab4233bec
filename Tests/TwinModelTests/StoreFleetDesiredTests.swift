import Synchronization
import Testing
@testable import TwinModel

@Suite("Store: one desired change for many twins")
struct StoreFleetDesiredTests {
    let tenant = StoreFixture.tenant

    @Test func everyTwinChangesInOneGoWithHistoryAndOneNotificationEach() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["d1", "d2", "d3"], in: store)
        try await store.patchTwin("d2", section: .reported, with: .merge(["mode": "eco"]), in: tenant, changedBy: "device")
        let heard = Mutex<[(String, Int64)]>([])
        store.observeDesiredChanges { _, twin in heard.withLock { $0.append((twin.id, twin.version)) } }

        let outcome = try await store.patchDesired(
            ofTwins: ["d1", "d2", "ghost"], with: ["mode": "eco", "fan": "low"], in: tenant, changedBy: "token:ops", at: StoreFixture.at(9_000))
        #expect(outcome.changed == ["d1", "d2"] && outcome.missing == ["ghost"])
        let d2 = try #require(try await store.twin("d2", in: tenant))
        #expect(d2.desired.value == ["mode": "eco", "fan": "low"] && d2.delta == ["fan": "low"])
        #expect(try await store.twin("d3", in: tenant)?.desired.value == [:])
        #expect(heard.withLock { $0.map(\.0) } == ["d1", "d2"])
        #expect(heard.withLock { $0.first { $0.0 == "d2" }?.1 } == d2.version, "the notification carries the committed twin")
        #expect(try await store.history(of: "d1", in: tenant).last?.changedBy == "token:ops")
        let d1 = try #require(try await store.twin("d1", in: tenant))
        #expect(try await store.twinVersions(["d1", "d2", "ghost"], in: tenant) == ["d1": d1.version, "d2": d2.version])
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history WHERE section = 'desired'", in: queue) == 2)
    }

    @Test func aChangeThatBreaksALimitChangesNothing() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["d1", "d2"], in: store)
        var large = JSONObject()
        for index in 0..<8 { large["blob\(index)"] = .string(String(repeating: "x", count: 4_000)) }
        try await store.patchTwin("d2", section: .desired, with: .merge(large), in: tenant, changedBy: "t")
        await #expect(throws: TwinModelError.self) {
            try await store.patchDesired(ofTwins: ["d1", "d2"], with: ["more": .string(String(repeating: "y", count: 4_000))], in: tenant, changedBy: "t")
        }
        #expect(try await store.twin("d1", in: tenant)?.desired.value == [:], "all or nothing")
    }
}
