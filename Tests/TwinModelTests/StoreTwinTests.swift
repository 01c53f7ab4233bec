import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store twins")
struct StoreTwinTests {
    let tenant = StoreFixture.tenant

    @Test func createGetAndReplace() async throws {
        let (store, _) = try StoreFixture.memory()
        #expect(try await store.twin("room-1", in: tenant) == nil)
        #expect(try await store.twinCount(in: tenant) == 0)

        let (created, isNew) = try await store.putTwin(
            "room-1", model: "dtmi:x:Room;1", properties: ["area": 20, "name": "Lab"], in: tenant, changedBy: "alice",
            at: StoreFixture.at(1_000))
        #expect(isNew)
        #expect(created.version == 1)
        #expect(created.properties.version == 1)
        #expect(created.desired.version == 0 && created.reported.version == 0 && created.tags.version == 0)
        #expect(created.createdAt == StoreFixture.at(1_000))

        let loaded = try #require(try await store.twin("room-1", in: tenant))
        #expect(loaded == created)
        #expect(loaded.etag == created.etag)
        #expect(try await store.twinCount(in: tenant) == 1)

        let (replaced, replacedIsNew) = try await store.putTwin(
            "room-1", model: "dtmi:x:Room;2", properties: ["area": 25], in: tenant, changedBy: "bob", at: StoreFixture.at(2_000))
        #expect(!replacedIsNew)
        #expect(replaced.model == "dtmi:x:Room;2")
        #expect(replaced.properties.value == ["area": 25])
        #expect(replaced.properties.version == 2)
        #expect(replaced.version == 2)
        #expect(replaced.createdAt == StoreFixture.at(1_000))
        #expect(replaced.updatedAt == StoreFixture.at(2_000))
        #expect(replaced.etag != created.etag)
        #expect(try await store.twin("room-1", in: tenant) == replaced)
        #expect(try await store.twinCount(in: tenant) == 1)
    }

    @Test func createOnlyOnExistingTwinFails() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.putTwin("t1", model: nil, properties: ["a": 1], in: tenant, createOnly: true, changedBy: "x", at: StoreFixture.at(1))
        await #expect(throws: TwinModelError.twinAlreadyExists("t1")) {
            try await store.putTwin("t1", model: nil, properties: ["a": 2], in: tenant, createOnly: true, changedBy: "x")
        }
        let twin = try #require(try await store.twin("t1", in: tenant))
        #expect(twin.properties.value == ["a": 1])
        #expect(twin.version == 1)
    }

    @Test(arguments: ["", "a/b", "a#b", "a b", "a+b", "tab\t", String(repeating: "x", count: 257)])
    func invalidTwinIdentifiers(_ id: String) async throws {
        let (store, _) = try StoreFixture.memory()
        let error = await StoreFixture.error {
            try await store.putTwin(id, model: nil, properties: [:], in: tenant, changedBy: "x")
        }
        guard case .invalidIdentifier(let kind, let reportedID, _)? = error else {
            Issue.record("expected invalidIdentifier, got \(String(describing: error))")
            return
        }
        #expect(kind == "twin")
        #expect(reportedID == id)
        #expect(try await store.twinCount(in: tenant) == 0)
    }

    @Test func mergePatchesEverySectionWithVersionsAndEtags() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["dev"], in: store)
        var etag = try #require(try await store.twin("dev", in: tenant)).etag
        var twinVersion: Int64 = 1
        for (step, kind) in TwinSection.Kind.allCases.enumerated() {
            let time = StoreFixture.at(2_000 + Int64(step))
            let first = try await store.patchTwin(
                "dev", section: kind, with: .merge(["a": 1, "obj": ["x": 1, "y": 2]]), in: tenant, ifMatch: etag, changedBy: "p", at: time)
            twinVersion += 1
            #expect(first.version == twinVersion)
            #expect(first.etag != etag)
            etag = first.etag
            let second = try await store.patchTwin(
                "dev", section: kind, with: .merge(["a": nil, "obj": ["y": 3], "b": "s"]), in: tenant, ifMatch: etag, changedBy: "p", at: time)
            twinVersion += 1
            etag = second.etag
            #expect(second[section: kind].value == ["obj": ["x": 1, "y": 3], "b": "s"], "\(kind)")
            #expect(second[section: kind].version == 2, "\(kind)")
            #expect(second.updatedAt == time)
        }
        let twin = try #require(try await store.twin("dev", in: tenant))
        #expect(twin.version == 9)
        #expect(twin.etag == etag)
        for kind in TwinSection.Kind.allCases {
            #expect(twin[section: kind].value == ["obj": ["x": 1, "y": 3], "b": "s"])
            #expect(twin[section: kind].version == 2)
        }
    }

    @Test func jsonPatchesEverySection() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["dev"], in: store)
        for kind in TwinSection.Kind.allCases {
            try await store.patchTwin("dev", section: kind, with: .merge(["keep": 1, "drop": 2, "list": [1, 2]]), in: tenant, changedBy: "p")
            let patch = try StoreFixture.jsonPatch(
                #"[{"op":"remove","path":"/drop"},{"op":"add","path":"/list/-","value":3},{"op":"add","path":"/n","value":{"m":true}}]"#)
            let twin = try await store.patchTwin("dev", section: kind, with: .json(patch), in: tenant, changedBy: "p")
            #expect(twin[section: kind].value == ["keep": 1, "list": [1, 2, 3], "n": ["m": true]], "\(kind)")
            #expect(twin[section: kind].version == 2, "\(kind)")
        }
        // A failing operation (test) changes nothing, all or nothing.
        let before = try #require(try await store.twin("dev", in: tenant))
        let failing = try StoreFixture.jsonPatch(#"[{"op":"add","path":"/z","value":1},{"op":"test","path":"/keep","value":99}]"#)
        let error = await StoreFixture.error {
            try await store.patchTwin("dev", section: .desired, with: .json(failing), in: tenant, changedBy: "p")
        }
        guard case .invalidPatch? = error else {
            Issue.record("expected invalidPatch, got \(String(describing: error))")
            return
        }
        #expect(try await store.twin("dev", in: tenant) == before)
    }

    @Test func staleEtagIsRejectedAndChangesNothing() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["t"], in: store)
        let stale = try #require(try await store.twin("t", in: tenant)).etag
        let current = try await store.patchTwin("t", section: .desired, with: .merge(["a": 1]), in: tenant, changedBy: "p")
        await #expect(throws: TwinModelError.preconditionFailed(expected: stale, actual: current.etag)) {
            try await store.patchTwin("t", section: .desired, with: .merge(["a": 2]), in: tenant, ifMatch: stale, changedBy: "p")
        }
        await #expect(throws: TwinModelError.preconditionFailed(expected: stale, actual: current.etag)) {
            try await store.putTwin("t", model: "m", properties: ["p": 1], in: tenant, ifMatch: stale, changedBy: "p")
        }
        await #expect(throws: TwinModelError.preconditionFailed(expected: stale, actual: current.etag)) {
            try await store.setModel("m", of: "t", in: tenant, ifMatch: stale)
        }
        await #expect(throws: TwinModelError.preconditionFailed(expected: stale, actual: current.etag)) {
            try await store.deleteTwin("t", in: tenant, ifMatch: stale)
        }
        #expect(try await store.twin("t", in: tenant) == current)
        #expect(try await store.history(of: "t", in: tenant).count == 1)
        // "*" and the current etag are accepted.
        let starred = try await store.patchTwin("t", section: .desired, with: .merge(["a": 3]), in: tenant, ifMatch: "*", changedBy: "p")
        let modeled = try await store.setModel("m", of: "t", in: tenant, ifMatch: starred.etag)
        #expect(modeled.model == "m" && modeled.version == 4)
    }

    @Test func concurrentConditionalPatchesExactlyOneWins() async throws {
        let directory = try StoreTemporaryDirectory()
        defer { directory.remove() }
        let store = try TwinStore(path: directory.path("db.sqlite"), logger: StoreFixture.logger)
        for round in 0..<20 {
            let id = "race-\(round)"
            try await StoreFixture.createTwins([id], in: store)
            let etag = try #require(try await store.twin(id, in: tenant)).etag
            async let first = StoreFixture.error {
                try await store.patchTwin(id, section: .desired, with: .merge(["writer": 1]), in: tenant, ifMatch: etag, changedBy: "one")
            }
            async let second = StoreFixture.error {
                try await store.patchTwin(id, section: .desired, with: .merge(["writer": 2]), in: tenant, ifMatch: etag, changedBy: "two")
            }
            let errors = await [first, second]
            let winner = try #require(try await store.twin(id, in: tenant))
            #expect(errors.filter { $0 == nil }.count == 1, "round \(round): \(errors)")
            #expect(errors.contains(.preconditionFailed(expected: etag, actual: winner.etag)), "round \(round): \(errors)")
            #expect(winner.version == 2)
            #expect(winner.desired.version == 1)
            let history = try await store.history(of: id, in: tenant)
            #expect(history.count == 1)
            #expect(history.first?.after == ["writer": errors[0] == nil ? 1 : 2])
        }
    }

    @Test func deleteRefusedWithRelationshipsThenCascade() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a", "b", "c"], in: store)
        try await store.putRelationship("r1", from: "a", to: "b", name: "feeds", in: tenant)
        try await store.putRelationship("r2", from: "a", to: "c", name: "feeds", in: tenant)
        try await store.putRelationship("r3", from: "b", to: "a", name: "feeds", in: tenant)
        try await store.putRelationship("r4", from: "c", to: "a", name: "feeds", in: tenant)
        try await store.putRelationship("r5", from: "c", to: "b", name: "feeds", in: tenant)

        await #expect(throws: TwinModelError.twinHasRelationships(id: "a", outgoing: 2, incoming: 2)) {
            try await store.deleteTwin("a", in: tenant)
        }
        #expect(try await store.twin("a", in: tenant) != nil)
        #expect(try await store.relationships(of: "b", in: tenant).map(\.id) == ["r3"])

        try await store.deleteTwin("a", in: tenant, cascade: true)
        #expect(try await store.twin("a", in: tenant) == nil)
        #expect(try await store.twinCount(in: tenant) == 2)
        // Incoming relationships of the deleted twin went too; unrelated ones stay.
        #expect(try await store.relationships(of: "b", in: tenant).isEmpty)
        #expect(try await store.relationships(of: "c", in: tenant).map(\.id) == ["r5"])
        #expect(try await store.incomingRelationships(of: "b", in: tenant).map(\.id) == ["r5"])
        #expect(try await store.relationship("r3", of: "b", in: tenant) == nil)
        await #expect(throws: TwinModelError.twinNotFound("a")) { try await store.relationships(of: "a", in: tenant) }
    }

    @Test func deletingMissingTwinFails() async throws {
        let (store, _) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.deleteTwin("ghost", in: tenant) }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.deleteTwin("ghost", in: tenant, cascade: true) }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.patchTwin("ghost", section: .desired, with: .merge(["a": 1]), in: tenant, changedBy: "p")
        }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.setModel("m", of: "ghost", in: tenant) }
    }

    @Test func tenantsAreIsolated() async throws {
        let (store, _) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.tenantNotFound("a")) {
            try await store.putTwin("t", model: nil, properties: [:], in: "a", changedBy: "x")
        }
        try await store.ensureTenant("a")
        try await store.putTwin("t", model: nil, properties: ["who": "a"], in: "a", changedBy: "x")
        #expect(try await store.twin("t", in: "default") == nil)
        #expect(try await store.twinCount(in: "default") == 0)
        #expect(try await store.twinCount(in: "a") == 1)
        await #expect(throws: TwinModelError.twinNotFound("t")) {
            try await store.patchTwin("t", section: .desired, with: .merge(["x": 1]), in: "default", changedBy: "x")
        }
        // The same id may exist independently in another tenant.
        try await store.putTwin("t", model: nil, properties: ["who": "default"], in: "default", createOnly: true, changedBy: "x")
        #expect(try await store.twin("t", in: "a")?.properties.value == ["who": "a"])
        #expect(try await store.twin("t", in: "default")?.properties.value == ["who": "default"])
        try await store.deleteTwin("t", in: "default")
        #expect(try await store.twin("t", in: "a") != nil)
    }

    @Test func readYourWritesOnFilePool() async throws {
        let directory = try StoreTemporaryDirectory()
        defer { directory.remove() }
        let store = try TwinStore(path: directory.path("db.sqlite"), logger: StoreFixture.logger)
        try await StoreFixture.createTwins(["t"], in: store)
        for i in 1...50 {
            let written = try await store.patchTwin("t", section: .reported, with: .merge(["i": .int(Int64(i))]), in: tenant, changedBy: "d")
            let read = try #require(try await store.twin("t", in: tenant))
            #expect(read == written)
            #expect(read.reported.value["i"] == .int(Int64(i)))
        }
        try await store.putTwin("u", model: nil, properties: [:], in: tenant, changedBy: "x")
        #expect(try await store.twinCount(in: tenant) == 2)
        try await store.deleteTwin("u", in: tenant)
        #expect(try await store.twin("u", in: tenant) == nil)
    }
}
