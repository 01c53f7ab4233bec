import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store relationships")
struct StoreRelationshipTests {
    let tenant = StoreFixture.tenant

    @Test func putGetListIncomingAndDelete() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["floor", "room-1", "room-2", "sensor"], in: store)
        let (r1, created) = try await store.putRelationship(
            "c1", from: "floor", to: "room-1", name: "contains", properties: ["since": 2020], in: tenant, at: StoreFixture.at(10))
        #expect(created)
        #expect(r1 == Relationship(id: "c1", source: "floor", target: "room-1", name: "contains", properties: ["since": 2020], version: 1, createdAt: StoreFixture.at(10), incarnation: r1.incarnation))
        #expect(r1.incarnation > 0)
        try await store.putRelationship("c2", from: "floor", to: "room-2", name: "contains", in: tenant, at: StoreFixture.at(11))
        try await store.putRelationship("m1", from: "floor", to: "sensor", name: "monitoredBy", in: tenant, at: StoreFixture.at(12))
        try await store.putRelationship("x1", from: "sensor", to: "room-1", name: "observes", in: tenant, at: StoreFixture.at(13))

        #expect(try await store.relationship("c1", of: "floor", in: tenant) == r1)
        #expect(try await store.relationship("c1", of: "room-1", in: tenant) == nil)
        #expect(try await store.relationship("nope", of: "floor", in: tenant) == nil)
        #expect(try await store.relationships(of: "floor", in: tenant).map(\.id) == ["c1", "c2", "m1"])
        #expect(try await store.relationships(of: "floor", named: "contains", in: tenant).map(\.target) == ["room-1", "room-2"])
        #expect(try await store.relationships(of: "floor", named: "monitoredBy", in: tenant).map(\.id) == ["m1"])
        #expect(try await store.relationships(of: "floor", named: "unknown", in: tenant).isEmpty)
        #expect(try await store.relationships(of: "room-1", in: tenant).isEmpty)
        let incoming = try await store.incomingRelationships(of: "room-1", in: tenant)
        #expect(incoming.map { "\($0.source)/\($0.id)" } == ["floor/c1", "sensor/x1"])
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.incomingRelationships(of: "ghost", in: tenant) }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.relationships(of: "ghost", in: tenant) }

        try await store.deleteRelationship("c1", of: "floor", in: tenant)
        #expect(try await store.relationship("c1", of: "floor", in: tenant) == nil)
        #expect(try await store.relationships(of: "floor", in: tenant).map(\.id) == ["c2", "m1"])
        #expect(try await store.incomingRelationships(of: "room-1", in: tenant).map(\.id) == ["x1"])
        await #expect(throws: TwinModelError.relationshipNotFound(source: "floor", id: "c1")) {
            try await store.deleteRelationship("c1", of: "floor", in: tenant)
        }
        await #expect(throws: TwinModelError.relationshipNotFound(source: "ghost", id: "c1")) {
            try await store.deleteRelationship("c1", of: "ghost", in: tenant)
        }
    }

    @Test func sourceAndTargetMustExist() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a"], in: store)
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.putRelationship("r", from: "a", to: "ghost", name: "n", in: tenant)
        }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.putRelationship("r", from: "ghost", to: "a", name: "n", in: tenant)
        }
        // A twin of another tenant is not a valid target.
        try await store.ensureTenant("other")
        try await StoreFixture.createTwins(["b"], in: store, tenant: "other")
        await #expect(throws: TwinModelError.twinNotFound("b")) {
            try await store.putRelationship("r", from: "a", to: "b", name: "n", in: tenant)
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 0)
    }

    @Test func invalidRelationshipIdsAndNames() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a", "b"], in: store)
        for (id, name, kind) in [("", "n", "relationship"), ("a/b", "n", "relationship"), ("r", "has space", "relationship name"), ("r", "#", "relationship name")] {
            let error = await StoreFixture.error { try await store.putRelationship(id, from: "a", to: "b", name: name, in: tenant) }
            guard case .invalidIdentifier(let reportedKind, _, _)? = error else {
                Issue.record("\(id) \(name): expected invalidIdentifier, got \(String(describing: error))")
                continue
            }
            #expect(reportedKind == kind)
        }
        #expect(try await store.relationships(of: "a", in: tenant).isEmpty)
    }

    @Test func createOnlyDuplicateFails() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a", "b", "c"], in: store)
        let (original, _) = try await store.putRelationship("r", from: "a", to: "b", name: "n", in: tenant, createOnly: true)
        await #expect(throws: TwinModelError.relationshipAlreadyExists(source: "a", id: "r")) {
            try await store.putRelationship("r", from: "a", to: "c", name: "m", in: tenant, createOnly: true)
        }
        #expect(try await store.relationship("r", of: "a", in: tenant) == original)
        // The same id under another source is a different relationship.
        try await store.putRelationship("r", from: "b", to: "c", name: "n", in: tenant, createOnly: true)
        #expect(try await store.incomingRelationships(of: "c", in: tenant).map(\.source) == ["b"])
    }

    @Test func outgoingLimit() async throws {
        var configuration = StoreConfiguration()
        configuration.maximumOutgoingRelationships = 3
        let (store, _) = try StoreFixture.memory(configuration)
        try await StoreFixture.createTwins(["hub", "t1", "t2", "t3", "t4"], in: store)
        for i in 1...3 {
            try await store.putRelationship("r\(i)", from: "hub", to: "t\(i)", name: "n", in: tenant)
        }
        await #expect(throws: TwinModelError.relationshipLimitExceeded(twin: "hub", direction: "outgoing", limit: 3)) {
            try await store.putRelationship("r4", from: "hub", to: "t4", name: "n", in: tenant)
        }
        #expect(try await store.relationships(of: "hub", in: tenant).count == 3)
        // Replacing an existing one is not a new relationship, so it is allowed at the limit.
        let (replaced, created) = try await store.putRelationship("r1", from: "hub", to: "t4", name: "n", in: tenant)
        #expect(!created && replaced.target == "t4")
        // After a delete there is room again.
        try await store.deleteRelationship("r2", of: "hub", in: tenant)
        try await store.putRelationship("r4", from: "hub", to: "t2", name: "n", in: tenant)
        #expect(try await store.relationships(of: "hub", in: tenant).map(\.id) == ["r1", "r3", "r4"])
    }

    @Test func incomingLimit() async throws {
        var configuration = StoreConfiguration()
        configuration.maximumIncomingRelationships = 3
        let (store, _) = try StoreFixture.memory(configuration)
        try await StoreFixture.createTwins(["sink", "other", "s1", "s2", "s3", "s4"], in: store)
        for i in 1...3 {
            try await store.putRelationship("r", from: "s\(i)", to: "sink", name: "n", in: tenant)
        }
        await #expect(throws: TwinModelError.relationshipLimitExceeded(twin: "sink", direction: "incoming", limit: 3)) {
            try await store.putRelationship("r", from: "s4", to: "sink", name: "n", in: tenant)
        }
        // Re-pointing an existing relationship at the full twin is refused too.
        try await store.putRelationship("r", from: "s4", to: "other", name: "n", in: tenant)
        await #expect(throws: TwinModelError.relationshipLimitExceeded(twin: "sink", direction: "incoming", limit: 3)) {
            try await store.putRelationship("r", from: "s4", to: "sink", name: "n", in: tenant)
        }
        #expect(try await store.relationship("r", of: "s4", in: tenant)?.target == "other")
        #expect(try await store.incomingRelationships(of: "sink", in: tenant).map(\.source) == ["s1", "s2", "s3"])
    }

    @Test func replacingBumpsVersionAndEtag() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["a", "b", "c"], in: store)
        let (v1, _) = try await store.putRelationship("r", from: "a", to: "b", name: "n", properties: ["w": 1], in: tenant, at: StoreFixture.at(100))
        let (v2, created) = try await store.putRelationship(
            "r", from: "a", to: "c", name: "m", properties: ["w": 2], in: tenant, ifMatch: v1.etag, at: StoreFixture.at(200))
        #expect(!created)
        #expect(v2.version == 2)
        #expect(v2.createdAt == StoreFixture.at(100))
        #expect(v2.etag != v1.etag)
        let stored = try #require(try await store.relationship("r", of: "a", in: tenant))
        #expect(stored == v2)
        #expect(stored.target == "c" && stored.name == "m" && stored.properties == ["w": 2])
        #expect(try await store.incomingRelationships(of: "b", in: tenant).isEmpty)

        await #expect(throws: TwinModelError.preconditionFailed(expected: v1.etag, actual: v2.etag)) {
            try await store.putRelationship("r", from: "a", to: "b", name: "n", in: tenant, ifMatch: v1.etag)
        }
        await #expect(throws: TwinModelError.preconditionFailed(expected: v1.etag, actual: v2.etag)) {
            try await store.deleteRelationship("r", of: "a", in: tenant, ifMatch: v1.etag)
        }
        await #expect(throws: TwinModelError.preconditionFailed(expected: "W/\"x-1\"", actual: "none")) {
            try await store.putRelationship("new", from: "a", to: "b", name: "n", in: tenant, ifMatch: "W/\"x-1\"")
        }
        #expect(try await store.relationship("r", of: "a", in: tenant) == v2)
        try await store.deleteRelationship("r", of: "a", in: tenant, ifMatch: v2.etag)
        #expect(try await store.relationships(of: "a", in: tenant).isEmpty)
    }
}
