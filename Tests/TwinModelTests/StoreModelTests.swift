import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store models")
struct StoreModelTests {
    let tenant = StoreFixture.tenant

    static func interface(_ id: String, _ extra: String = "") -> JSONValue {
        ["@id": .string(id), "@type": "Interface", "@context": "dtmi:dtdl:context;3", "displayName": .string(id + extra)]
    }

    @Test func addListGetDelete() async throws {
        let (store, _) = try StoreFixture.memory()
        #expect(try await store.models(in: tenant).isEmpty)
        let added = try await store.addModels(
            [(id: "dtmi:x:B;1", body: Self.interface("dtmi:x:B;1")), (id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"))], in: tenant,
            at: StoreFixture.at(500))
        #expect(added.map(\.id) == ["dtmi:x:B;1", "dtmi:x:A;1"])
        #expect(added.allSatisfy { $0.uploadedAt == StoreFixture.at(500) })

        let listed = try await store.models(in: tenant)
        #expect(listed.map(\.id) == ["dtmi:x:A;1", "dtmi:x:B;1"])
        #expect(listed.map(\.uploadedAt) == [StoreFixture.at(500), StoreFixture.at(500)])

        let a = try #require(try await store.model("dtmi:x:A;1", in: tenant))
        #expect(a.body == Self.interface("dtmi:x:A;1"))
        #expect(a == StoredModel(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"), uploadedAt: StoreFixture.at(500)))
        #expect(try await store.model("dtmi:x:C;1", in: tenant) == nil)

        try await store.deleteModel("dtmi:x:A;1", in: tenant)
        #expect(try await store.model("dtmi:x:A;1", in: tenant) == nil)
        #expect(try await store.models(in: tenant).map(\.id) == ["dtmi:x:B;1"])
    }

    @Test func duplicateInTheSameCallStoresNothing() async throws {
        let (store, queue) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.modelAlreadyExists("dtmi:x:A;1")) {
            try await store.addModels(
                [
                    (id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1")),
                    (id: "dtmi:x:B;1", body: Self.interface("dtmi:x:B;1")),
                    (id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1", " again")),
                ], in: tenant)
        }
        #expect(try await store.models(in: tenant).isEmpty)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM model", in: queue) == 0)
    }

    @Test func existingModelStoresNothing() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.addModels([(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"))], in: tenant, at: StoreFixture.at(1))
        await #expect(throws: TwinModelError.modelAlreadyExists("dtmi:x:A;1")) {
            try await store.addModels(
                [(id: "dtmi:x:C;1", body: Self.interface("dtmi:x:C;1")), (id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1", " v2"))],
                in: tenant, at: StoreFixture.at(2))
        }
        let models = try await store.models(in: tenant)
        #expect(models.map(\.id) == ["dtmi:x:A;1"])
        #expect(models.first?.body == Self.interface("dtmi:x:A;1"))
        #expect(models.first?.uploadedAt == StoreFixture.at(1))
    }

    @Test func deleteMissingModelFails() async throws {
        let (store, _) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.modelNotFound("dtmi:x:Nope;1")) { try await store.deleteModel("dtmi:x:Nope;1", in: tenant) }
        try await store.addModels([(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"))], in: tenant)
        try await store.deleteModel("dtmi:x:A;1", in: tenant)
        await #expect(throws: TwinModelError.modelNotFound("dtmi:x:A;1")) { try await store.deleteModel("dtmi:x:A;1", in: tenant) }
    }

    @Test func modelsArePerTenant() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.ensureTenant("b")
        try await store.addModels([(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"))], in: tenant)
        try await store.addModels([(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1", " in b"))], in: "b")
        #expect(try await store.model("dtmi:x:A;1", in: "b")?.body == Self.interface("dtmi:x:A;1", " in b"))
        await #expect(throws: TwinModelError.modelNotFound("dtmi:x:A;1")) { try await store.deleteModel("dtmi:x:A;1", in: "c") }
        try await store.deleteModel("dtmi:x:A;1", in: "b")
        #expect(try await store.model("dtmi:x:A;1", in: tenant) != nil)
        await #expect(throws: TwinModelError.tenantNotFound("c")) {
            try await store.addModels([(id: "dtmi:x:A;1", body: Self.interface("dtmi:x:A;1"))], in: "c")
        }
    }
}
