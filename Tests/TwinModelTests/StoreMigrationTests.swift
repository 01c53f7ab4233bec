import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store migrations")
struct StoreMigrationTests {
    static let allMigrations = [
        "v1-graph", "v1-history", "v1-access-tokens", "v2-covering-relationship-indexes", "v3-tenant-validation", "v4-devices", "v5-desired-rejections", "v6-commands", "v7-device-messages", "v8-telemetry", "v9-rules-alerts", "v10-telemetry-retention",
    ]

    @Test func freshFileMigratesAndHasTheDefaultTenant() async throws {
        let directory = try StoreTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("doppel.sqlite")
        #expect(!FileManager.default.fileExists(atPath: path))

        let store = try TwinStore(path: path, logger: StoreFixture.logger)
        #expect(try store.appliedMigrations() == Self.allMigrations)
        #expect(try await store.tenants() == ["default"])
        #expect(TwinStore.defaultTenant == "default")
        #expect(await store.isHealthy())
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func inMemoryQueueMigratesToo() async throws {
        let (store, queue) = try StoreFixture.memory()
        #expect(try store.appliedMigrations() == Self.allMigrations)
        #expect(try await store.tenants() == ["default"])
        let tables = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb_%' ORDER BY name")
        }
        #expect(tables == ["access_token", "alert", "alert_event", "command", "desired_rejection", "device", "device_message", "history", "model", "relationship", "rule", "sqlite_sequence", "telemetry_log", "telemetry_point", "telemetry_rollup", "tenant", "twin"])
    }

    @Test func reopeningKeepsDataAndAppliesNothingNew() async throws {
        let directory = try StoreTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("doppel.sqlite")

        let defaultCreatedAt: Int64
        do {
            let store = try TwinStore(path: path, logger: StoreFixture.logger)
            try await store.ensureTenant("acme")
            try await store.putTwin("pump-1", model: "dtmi:x:Pump;1", properties: ["rpm": 1200], in: "acme", changedBy: "t", at: StoreFixture.at(5_000))
            try await store.patchTwin("pump-1", section: .reported, with: .merge(["on": true]), in: "acme", changedBy: "dev", at: StoreFixture.at(6_000))
            _ = try await store.addModels([(id: "dtmi:x:Pump;1", body: ["@type": "Interface"])], in: "acme", at: StoreFixture.at(5_000))
            defaultCreatedAt = try Self.tenantCreatedAt("default", path: path)
        }

        let reopened = try TwinStore(path: path, logger: StoreFixture.logger)
        #expect(try reopened.appliedMigrations() == Self.allMigrations)
        // Nothing new was applied: the migration table still has exactly one row per migration.
        let queue = try DatabaseQueue(path: path)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM grdb_migrations", in: queue) == Self.allMigrations.count)
        #expect(try Self.tenantCreatedAt("default", path: path) == defaultCreatedAt)
        try queue.close()

        #expect(try await reopened.tenants() == ["acme", "default"])
        let twin = try #require(try await reopened.twin("pump-1", in: "acme"))
        #expect(twin.model == "dtmi:x:Pump;1")
        #expect(twin.properties.value == ["rpm": 1200])
        #expect(twin.reported.value == ["on": true])
        #expect(twin.version == 2)
        #expect(twin.createdAt == StoreFixture.at(5_000))
        #expect(twin.updatedAt == StoreFixture.at(6_000))
        // The creation with properties and the reported change.
        #expect(try await reopened.history(of: "pump-1", in: "acme").map(\.section) == [.properties, .reported])
        #expect(try await reopened.models(in: "acme").map(\.id) == ["dtmi:x:Pump;1"])
    }

    @Test func fileIsInWALMode() async throws {
        let directory = try StoreTemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("doppel.sqlite")
        let store = try TwinStore(path: path, logger: StoreFixture.logger)
        try await store.putTwin("t", model: nil, properties: [:], in: "default", changedBy: "t")

        let queue = try DatabaseQueue(path: path)
        let mode = try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        // The separate connection sees the pool's committed write.
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin WHERE id = 't'", in: queue) == 1)
        try queue.close()
    }

    @Test func ensureTenantIsIdempotentAndValidated() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.ensureTenant("a")
        try await store.ensureTenant("a")
        #expect(try await store.tenants() == ["a", "default"])
        for bad in ["", "A", "has space", "x/y", String(repeating: "a", count: 65)] {
            let error = await StoreFixture.error { try await store.ensureTenant(bad) }
            guard case .invalidIdentifier(let kind, let id, _)? = error else {
                Issue.record("tenant \(bad.debugDescription): expected invalidIdentifier, got \(String(describing: error))")
                continue
            }
            #expect(kind == "tenant")
            #expect(id == bad)
        }
        #expect(try await store.tenants() == ["a", "default"])
    }

    private static func tenantCreatedAt(_ tenant: String, path: String) throws -> Int64 {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT created_at FROM tenant WHERE id = ?", arguments: [tenant]) ?? -1
        }
    }
}
