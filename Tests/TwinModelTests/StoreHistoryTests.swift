import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

/// JSON equality of two objects, ignoring member order.
private func same(_ a: JSONObject, _ b: JSONObject) -> Bool {
    JSONValue.object(a).isJSONEqual(to: .object(b))
}

@Suite("Store history")
struct StoreHistoryTests {
    let tenant = StoreFixture.tenant

    /// Builds the timeline the tests below read: one twin, changes at 2 000 … 7 000 ms, and some rejected ones.
    private func timeline() async throws -> TwinStore {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["h", "other"], in: store, at: StoreFixture.at(1_000))
        try await store.patchTwin("h", section: .desired, with: .merge(["a": 1, "obj": ["x": 1]]), in: tenant, changedBy: "alice", at: StoreFixture.at(2_000))
        try await store.patchTwin(
            "h", section: .desired, with: .merge(["a": 2, "obj": ["y": 2], "b": true]), in: tenant, changedBy: "bob", at: StoreFixture.at(3_000))
        try await store.patchTwin("h", section: .desired, with: .merge(["a": nil]), in: tenant, changedBy: "carol", at: StoreFixture.at(4_000))
        try await store.patchTwin("h", section: .reported, with: .merge(["r": 1]), in: tenant, changedBy: "device", at: StoreFixture.at(5_000))
        try await store.patchTwin("other", section: .desired, with: .merge(["a": 99]), in: tenant, changedBy: "zed", at: StoreFixture.at(5_500))

        // Rejected changes: invalid key, stale etag, failing JSON Patch, too-large section.
        _ = await StoreFixture.error {
            try await store.patchTwin("h", section: .desired, with: .merge(["$bad": 1]), in: tenant, changedBy: "x", at: StoreFixture.at(6_000))
        }
        _ = await StoreFixture.error {
            try await store.patchTwin("h", section: .desired, with: .merge(["a": 5]), in: tenant, ifMatch: "W/\"0-1\"", changedBy: "x", at: StoreFixture.at(6_000))
        }
        _ = await StoreFixture.error {
            try await store.patchTwin(
                "h", section: .desired, with: .json(try StoreFixture.jsonPatch(#"[{"op":"remove","path":"/missing"}]"#)), in: tenant, changedBy: "x",
                at: StoreFixture.at(6_000))
        }
        _ = await StoreFixture.error {
            try await store.patchTwin(
                "h", section: .tags, with: .merge(["big": .string(String(repeating: "x", count: 4_000)), "big2": .string(String(repeating: "y", count: 4_000)), "big3": .string(String(repeating: "z", count: 4_000))]),
                in: tenant, changedBy: "x", at: StoreFixture.at(6_000))
        }

        let patch = try StoreFixture.jsonPatch(#"[{"op":"replace","path":"/obj/x","value":10}]"#)
        try await store.patchTwin("h", section: .desired, with: .json(patch), in: tenant, changedBy: "dave", at: StoreFixture.at(7_000))
        return store
    }

    @Test func everyAcceptedChangeIsAnEventWithBeforeAndAfter() async throws {
        let store = try await timeline()
        let events = try await store.history(of: "h", in: tenant)
        #expect(events.count == 5)
        guard events.count == 5 else { return }

        #expect(events.map(\.section) == [.desired, .desired, .desired, .reported, .desired])
        #expect(events.map(\.version) == [1, 2, 3, 1, 4])
        #expect(events.map(\.changedBy) == ["alice", "bob", "carol", "device", "dave"])
        #expect(events.map(\.time) == [2_000, 3_000, 4_000, 5_000, 7_000].map(StoreFixture.at))
        #expect(events.allSatisfy { $0.twin == "h" })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.sequence < $1.sequence })

        #expect(events[0].after == ["a": 1, "obj": ["x": 1]])
        #expect(events[0].before == ["a": nil, "obj": nil])
        #expect(events[1].after == ["a": 2, "obj": ["y": 2], "b": true])
        #expect(events[1].before == ["a": 1, "obj": ["y": nil], "b": nil])
        #expect(events[2].after == ["a": nil])
        #expect(events[2].before == ["a": 2])
        #expect(events[3].after == ["r": 1])
        #expect(events[3].before == ["r": nil])
        #expect(events[4].after == ["obj": ["x": 10]])
        #expect(events[4].before == ["obj": ["x": 1]])

        // The rejected changes left the twin as the accepted ones made it.
        let twin = try #require(try await store.twin("h", in: tenant))
        #expect(twin.version == 6)
        #expect(twin.desired.version == 4)
        #expect(twin.tags.version == 0 && twin.tags.value.isEmpty)
        #expect(same(twin.desired.value, ["obj": ["x": 10, "y": 2], "b": true]))
    }

    @Test func rejectedChangesLeaveNoEvent() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["t"], in: store)
        let before = try StoreFixture.count("SELECT COUNT(*) FROM history", in: queue)
        _ = await StoreFixture.error {
            try await store.patchTwin("t", section: .reported, with: .merge(["bad.key": 1]), in: tenant, changedBy: "x")
        }
        _ = await StoreFixture.error {
            try await store.patchTwin("t", section: .desired, with: .merge(["a": 1]), in: tenant, ifMatch: "W/\"nope\"", changedBy: "x")
        }
        _ = await StoreFixture.error {
            try await store.patchTwin("missing", section: .desired, with: .merge(["a": 1]), in: tenant, changedBy: "x")
        }
        _ = await StoreFixture.error {
            try await store.patchTwin("t", section: .desired, with: .json(try StoreFixture.jsonPatch(#"[{"op":"replace","path":"","value":[]}]"#)), in: tenant, changedBy: "x")
        }
        _ = await StoreFixture.error {
            try await store.applyReported([ReportedPatch(tenant: tenant, twin: "t", patch: ["sp ace": 1], changedBy: "x")])
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM history", in: queue) == before)
        #expect(try await store.history(of: "t", in: tenant).isEmpty)
        #expect(try await store.twin("t", in: tenant)?.version == 1)
    }

    @Test func historyPagesAndIsPerTwinAndTenant() async throws {
        let store = try await timeline()
        let all = try await store.history(of: "h", in: tenant)
        let firstPage = try await store.history(of: "h", in: tenant, limit: 2)
        #expect(firstPage == Array(all.prefix(2)))
        let secondPage = try await store.history(of: "h", in: tenant, after: try #require(firstPage.last).sequence, limit: 2)
        #expect(secondPage == Array(all.dropFirst(2).prefix(2)))
        let rest = try await store.history(of: "h", in: tenant, after: try #require(secondPage.last).sequence, limit: 100)
        #expect(rest == Array(all.dropFirst(4)))
        #expect(try await store.history(of: "h", in: tenant, after: try #require(all.last).sequence).isEmpty)

        let other = try await store.history(of: "other", in: tenant)
        #expect(other.map(\.changedBy) == ["zed"])
        await #expect(throws: TwinModelError.twinNotFound("h")) { try await store.history(of: "h", in: "elsewhere") }
    }

    @Test(arguments: [
        (Int64(1_500), #"{}"#),
        (2_000, #"{"a":1,"obj":{"x":1}}"#),
        (2_999, #"{"a":1,"obj":{"x":1}}"#),
        (3_000, #"{"a":2,"obj":{"x":1,"y":2},"b":true}"#),
        (4_000, #"{"obj":{"x":1,"y":2},"b":true}"#),
        (6_999, #"{"obj":{"x":1,"y":2},"b":true}"#),
        (7_000, #"{"obj":{"x":10,"y":2},"b":true}"#),
        (99_000, #"{"obj":{"x":10,"y":2},"b":true}"#),
    ])
    func desiredAsOfTime(_ milliseconds: Int64, _ expected: String) async throws {
        let store = try await timeline()
        let value = try await store.section(.desired, of: "h", in: tenant, at: StoreFixture.at(milliseconds))
        let wanted = try #require(try JSONParser().parse(expected).objectValue)
        #expect(same(value, wanted), "at \(milliseconds): \(JSONValue.object(value)) != \(expected)")
    }

    @Test func otherSectionsAsOfTime() async throws {
        let store = try await timeline()
        #expect(try await store.section(.reported, of: "h", in: tenant, at: StoreFixture.at(4_999)).isEmpty)
        #expect(try await store.section(.reported, of: "h", in: tenant, at: StoreFixture.at(5_000)) == ["r": 1])
        #expect(try await store.section(.tags, of: "h", in: tenant, at: StoreFixture.at(9_000)).isEmpty)
        #expect(try await store.section(.desired, of: "other", in: tenant, at: StoreFixture.at(5_000)).isEmpty)
        #expect(try await store.section(.desired, of: "other", in: tenant, at: StoreFixture.at(5_500)) == ["a": 99])
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.section(.desired, of: "ghost", in: tenant, at: StoreFixture.at(0))
        }
    }

    @Test func replacingPropertiesIsRecorded() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.putTwin("p", model: nil, properties: ["a": 1, "b": 2], in: tenant, changedBy: "creator", at: StoreFixture.at(1_000))
        try await store.putTwin("p", model: nil, properties: ["a": 1, "c": 3], in: tenant, changedBy: "editor", at: StoreFixture.at(2_000))
        let replaced = try #require(try await store.history(of: "p", in: tenant).last)
        #expect(replaced.section == .properties)
        #expect(replaced.version == 2)
        #expect(replaced.changedBy == "editor")
        #expect(replaced.time == StoreFixture.at(2_000))
        #expect(same(replaced.after, ["b": nil, "c": 3]))
        #expect(same(replaced.before, ["b": 2, "c": nil]))
        #expect(same(try await store.section(.properties, of: "p", in: tenant, at: StoreFixture.at(1_500)), ["a": 1, "b": 2]))
        #expect(same(try await store.section(.properties, of: "p", in: tenant, at: StoreFixture.at(2_000)), ["a": 1, "c": 3]))
    }

    /// Creating a twin with properties sets properties version 1 — an accepted change — so history should hold it
    /// (after = the properties, before = null for each new member), and the state before creation is empty.
    @Test func creatingWithPropertiesIsRecorded() async throws {
        let (store, _) = try StoreFixture.memory()
        let (twin, _) = try await store.putTwin("p", model: nil, properties: ["a": 1], in: tenant, changedBy: "creator", at: StoreFixture.at(1_000))
        #expect(twin.properties.version == 1)
        let events = try await store.history(of: "p", in: tenant)
        #expect(events.count == 1, "creation of properties (version 1) has no history event")
        if let first = events.first {
            #expect(first.section == .properties && first.version == 1 && first.changedBy == "creator")
            #expect(first.after == ["a": 1])
            #expect(first.before == ["a": nil])
        }
        #expect(try await store.section(.properties, of: "p", in: tenant, at: StoreFixture.at(999)).isEmpty)
    }
}
