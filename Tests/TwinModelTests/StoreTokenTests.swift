import Crypto
import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store access tokens")
struct StoreTokenTests {
    @Test func createdTokenGrantsItsTenantAndRole() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.ensureTenant("acme")
        let viewer = try await store.createAccessToken(tenant: "acme", role: .viewer, name: "dashboard", at: StoreFixture.at(1))
        let admin = try await store.createAccessToken(tenant: "default", role: .admin, name: "root", at: StoreFixture.at(2))
        #expect(viewer != admin)
        #expect(viewer.hasPrefix("dop_"))
        #expect(viewer.count == 4 + 43)
        #expect(try await store.grant(for: viewer) == AccessGrant(tenant: "acme", role: .viewer, name: "dashboard"))
        #expect(try await store.grant(for: admin) == AccessGrant(tenant: "default", role: .admin, name: "root"))
        #expect(AccessRole.viewer < .operator && AccessRole.operator < .admin)
    }

    @Test func unknownTokenHasNoGrant() async throws {
        let (store, _) = try StoreFixture.memory()
        let token = try await store.createAccessToken(tenant: "default", role: .operator, name: "ops")
        #expect(try await store.grant(for: "dop_unknown") == nil)
        #expect(try await store.grant(for: "") == nil)
        #expect(try await store.grant(for: token + "x") == nil)
        #expect(try await store.grant(for: String(token.dropLast())) == nil)
    }

    @Test func tokenForUnknownTenantIsRefused() async throws {
        let (store, queue) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.tenantNotFound("nope")) {
            try await store.createAccessToken(tenant: "nope", role: .viewer, name: "x")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM access_token", in: queue) == 0)
    }

    @Test func onlyAHashIsStored() async throws {
        let (store, queue) = try StoreFixture.memory()
        let token = try await store.createAccessToken(tenant: "default", role: .admin, name: "root", at: StoreFixture.at(7))
        let rows = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM access_token") }
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        let hash: Data = row["hash"]
        #expect(hash == Data(SHA256.hash(data: Data(token.utf8))))
        #expect(hash.count == 32)
        for (column, value) in row {
            let text: String
            switch value.storage {
            case .blob(let data): text = String(decoding: data, as: UTF8.self) + data.base64EncodedString()
            case .string(let string): text = string
            default: text = value.description
            }
            #expect(!text.contains(token), "column \(column) holds the token")
            #expect(!text.contains(String(token.dropFirst(4))), "column \(column) holds the token's random part")
        }
        // Nothing else in the database holds it either.
        let dump = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'").flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)").map { $0.description }
            }
        }
        #expect(!dump.contains { $0.contains(String(token.dropFirst(4))) })
    }

    @Test func chosenTokenIsStoredOnce() async throws {
        let (store, queue) = try StoreFixture.memory()
        let chosen = "my-admin-secret"
        #expect(try await store.createAccessToken(chosen, tenant: "default", role: .admin, name: "bootstrap") == chosen)
        try await store.createAccessToken(chosen, tenant: "default", role: .viewer, name: "again")
        #expect(try await store.grant(for: chosen) == AccessGrant(tenant: "default", role: .admin, name: "bootstrap"))
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM access_token", in: queue) == 1)
    }

    @Test func hasAdminTokenFlipsOnFirstAdmin() async throws {
        let (store, _) = try StoreFixture.memory()
        #expect(try await store.hasAdminToken() == false)
        try await store.createAccessToken(tenant: "default", role: .viewer, name: "v")
        try await store.createAccessToken(tenant: "default", role: .operator, name: "o")
        #expect(try await store.hasAdminToken() == false)
        try await store.createAccessToken(tenant: "default", role: .admin, name: "a")
        #expect(try await store.hasAdminToken() == true)
    }
}
