import Crypto
import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

@Suite("Store devices")
struct StoreDeviceTests {
    let tenant = StoreFixture.tenant
    /// 16 and 32 bytes, base64.
    static let primaryKey = Data(repeating: 1, count: 32).base64EncodedString()
    static let secondaryKey = Data(repeating: 2, count: 16).base64EncodedString()
    static let sha1 = String(repeating: "AB", count: 20)
    static let sha256 = String(repeating: "0f", count: 32)

    @Test func registeringCreatesTheTwinAndTheDevice() async throws {
        let (store, _) = try StoreFixture.memory()
        let (device, created) = try await store.registerDevice(
            "pump-1", in: tenant, model: "dtmi:x:Pump;1",
            credentials: DeviceCredentials(
                secret: .set("correct horse"), sasKeys: .set(SASKeys(primary: Self.primaryKey)), x509Thumbprints: .set([Self.sha1])),
            changedBy: "test", at: StoreFixture.at(1_000))
        #expect(created)
        #expect(
            device
                == Device(
                    id: "pump-1", model: "dtmi:x:Pump;1", status: .enabled, hasSecret: true, hasPrimarySASKey: true,
                    hasSecondarySASKey: false, x509Thumbprints: [Self.sha1.lowercased()], connectionState: .disconnected,
                    createdAt: StoreFixture.at(1_000), updatedAt: StoreFixture.at(1_000)))
        #expect(try await store.device("pump-1", in: tenant) == device)
        let twin = try #require(try await store.twin("pump-1", in: tenant))
        #expect(twin.model == "dtmi:x:Pump;1")
        #expect(twin.version == 1)
    }

    @Test func registeringAnExistingTwinKeepsItsStateAndUpdatesOnlyWhatIsGiven() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.putTwin("pump-1", model: "dtmi:x:Pump;1", properties: ["rpm": 1200], in: tenant, changedBy: "t", at: StoreFixture.at(1))
        try await store.patchTwin("pump-1", section: .reported, with: .merge(["on": true]), in: tenant, changedBy: "d", at: StoreFixture.at(2))
        let (first, created) = try await store.registerDevice(
            "pump-1", in: tenant, credentials: DeviceCredentials(secret: .set("first secret")), changedBy: "t", at: StoreFixture.at(3))
        #expect(created)
        #expect(first.model == "dtmi:x:Pump;1")
        var twin = try #require(try await store.twin("pump-1", in: tenant))
        #expect(twin.version == 2, "no model given: the twin is untouched")
        #expect(twin.properties.value == ["rpm": 1200] && twin.reported.value == ["on": true])

        let (second, createdAgain) = try await store.registerDevice(
            "pump-1", in: tenant, model: "dtmi:x:Pump;2", status: .disabled,
            credentials: DeviceCredentials(sasKeys: .set(SASKeys(primary: Self.primaryKey, secondary: Self.secondaryKey))),
            changedBy: "t", at: StoreFixture.at(4))
        #expect(!createdAgain)
        #expect(second.status == .disabled && second.model == "dtmi:x:Pump;2")
        #expect(second.hasSecret, "a secret not mentioned is kept")
        #expect(second.hasPrimarySASKey && second.hasSecondarySASKey)
        #expect(second.createdAt == StoreFixture.at(3) && second.updatedAt == StoreFixture.at(4))
        twin = try #require(try await store.twin("pump-1", in: tenant))
        #expect(twin.version == 3 && twin.model == "dtmi:x:Pump;2")

        let (third, _) = try await store.registerDevice(
            "pump-1", in: tenant, credentials: DeviceCredentials(secret: .remove, sasKeys: .remove), changedBy: "t", at: StoreFixture.at(5))
        #expect(third.status == .disabled, "no status given: kept")
        #expect(!third.hasSecret && !third.hasPrimarySASKey && !third.hasSecondarySASKey)
        #expect(try await store.verifyDeviceSecret("first secret", of: "pump-1", in: tenant) == false)
    }

    @Test func secretIsVerifiedOnlyWhenRightAndEnabled() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.registerDevice("d1", in: tenant, credentials: DeviceCredentials(secret: .set("s3cret-pass")), changedBy: "t")
        try await store.registerDevice("d2", in: tenant, changedBy: "t")
        #expect(try await store.verifyDeviceSecret("s3cret-pass", of: "d1", in: tenant))
        #expect(try await store.verifyDeviceSecret(Array("s3cret-pass".utf8), of: "d1", in: tenant))
        #expect(try await store.verifyDeviceSecret("s3cret-pasS", of: "d1", in: tenant) == false)
        #expect(try await store.verifyDeviceSecret("s3cret-pass ", of: "d1", in: tenant) == false)
        #expect(try await store.verifyDeviceSecret("", of: "d1", in: tenant) == false)
        #expect(try await store.verifyDeviceSecret("s3cret-pass", of: "d2", in: tenant) == false, "no secret registered")
        #expect(try await store.verifyDeviceSecret("s3cret-pass", of: "ghost", in: tenant) == false)

        try await store.registerDevice("d1", in: tenant, status: .disabled, changedBy: "t")
        #expect(try await store.verifyDeviceSecret("s3cret-pass", of: "d1", in: tenant) == false, "disabled devices are refused")
        try await store.registerDevice("d1", in: tenant, status: .enabled, changedBy: "t")
        #expect(try await store.verifyDeviceSecret("s3cret-pass", of: "d1", in: tenant))
    }

    @Test func secretIsStoredOnlyAsASaltedHash() async throws {
        let (store, queue) = try StoreFixture.memory()
        let secret = "a-device-secret-123"
        try await store.registerDevice("d1", in: tenant, credentials: DeviceCredentials(secret: .set(secret)), changedBy: "t")
        try await store.registerDevice("d2", in: tenant, credentials: DeviceCredentials(secret: .set(secret)), changedBy: "t")
        let hashes = try await queue.read { db in try String.fetchAll(db, sql: "SELECT secret_hash FROM device ORDER BY id") }
        #expect(hashes.count == 2)
        #expect(hashes.allSatisfy { $0.hasPrefix("$pbkdf2-sha256$\(DeviceSecretHash.defaultIterations)$") })
        #expect(hashes[0] != hashes[1], "each secret has its own salt")
        let dump = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM device").map(\.description).joined() }
        #expect(!dump.contains(secret))
        // The stored form is standard PBKDF2-HMAC-SHA256 (RFC 6070-style check against a known vector).
        let vector = DeviceSecretHash.derive(Array("password".utf8), salt: Array("salt".utf8), iterations: 2, length: 32)
        #expect(vector.map { String(format: "%02x", $0) }.joined() == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    }

    @Test func invalidCredentialsAreRefusedAndNothingIsStored() async throws {
        let (store, queue) = try StoreFixture.memory()
        let cases: [(DeviceCredentials, String, String)] = [
            (DeviceCredentials(sasKeys: .set(SASKeys(primary: "not base64!"))), "sasKeys.primary", "is not base64"),
            (DeviceCredentials(sasKeys: .set(SASKeys(primary: Self.primaryKey, secondary: "@@@@"))), "sasKeys.secondary", "is not base64"),
            (DeviceCredentials(sasKeys: .set(SASKeys(primary: Data(count: 15).base64EncodedString()))), "sasKeys.primary",
             "must decode to 16 to 64 bytes, found 15"),
            (DeviceCredentials(sasKeys: .set(SASKeys(primary: Data(count: 65).base64EncodedString()))), "sasKeys.primary",
             "must decode to 16 to 64 bytes, found 65"),
            (DeviceCredentials(x509Thumbprints: .set([Self.sha256, "abc"])), "x509Thumbprints[1]", "is not a SHA-1 (40) or SHA-256 (64) hex digest"),
            (DeviceCredentials(x509Thumbprints: .set([String(repeating: "g", count: 40)])), "x509Thumbprints[0]",
             "is not a SHA-1 (40) or SHA-256 (64) hex digest"),
            (DeviceCredentials(x509Thumbprints: .set(Array(repeating: Self.sha1, count: 11))), "x509Thumbprints", "may hold at most 10, found 11"),
            (DeviceCredentials(secret: .set("short")), "secret", "must be 8 to 256 bytes, found 5"),
        ]
        for (credentials, field, reason) in cases {
            await #expect(throws: TwinModelError.invalidCredential(field: field, reason: reason)) {
                try await store.registerDevice("d1", in: tenant, credentials: credentials, changedBy: "t")
            }
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM device", in: queue) == 0)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
        await #expect(throws: TwinModelError.invalidIdentifier(kind: "device", id: "a/b", reason: "may not contain '/', '+', '#', spaces or control characters")) {
            try await store.registerDevice("a/b", in: tenant, changedBy: "t")
        }
        await #expect(throws: TwinModelError.tenantNotFound("nope")) { try await store.registerDevice("d1", in: "nope", changedBy: "t") }
    }

    @Test func thumbprintsAreStoredLowercaseWithoutDuplicatesAndMatchCertificates() async throws {
        let (store, _) = try StoreFixture.memory()
        let certificate = Array("a DER certificate, as far as this test cares".utf8)
        let sha256 = SHA256.hash(data: certificate).map { String(format: "%02X", $0) }.joined()
        let sha1 = Insecure.SHA1.hash(data: certificate).map { String(format: "%02x", $0) }.joined()
        let (device, _) = try await store.registerDevice(
            "cam", in: tenant, credentials: DeviceCredentials(x509Thumbprints: .set([sha256, sha256.lowercased()])), changedBy: "t")
        #expect(device.x509Thumbprints == [sha256.lowercased()])
        #expect(try await store.verifyDeviceCertificate(certificate, of: "cam", in: tenant))
        #expect(try await store.verifyDeviceCertificate(certificate + [0], of: "cam", in: tenant) == false)
        #expect(try await store.verifyDeviceCertificate(certificate, of: "other", in: tenant) == false)

        try await store.registerDevice("cam", in: tenant, credentials: DeviceCredentials(x509Thumbprints: .set([sha1])), changedBy: "t")
        #expect(try await store.verifyDeviceCertificate(certificate, of: "cam", in: tenant), "SHA-1 thumbprints match too")
        try await store.registerDevice("cam", in: tenant, status: .disabled, changedBy: "t")
        #expect(try await store.verifyDeviceCertificate(certificate, of: "cam", in: tenant) == false)
        try await store.registerDevice("cam", in: tenant, status: .enabled, credentials: DeviceCredentials(x509Thumbprints: .remove), changedBy: "t")
        #expect(try await store.verifyDeviceCertificate(certificate, of: "cam", in: tenant) == false)
        #expect(try await store.device("cam", in: tenant)?.x509Thumbprints == [])
    }

    @Test func sasSignaturesAreCheckedWithEitherKey() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.registerDevice(
            "hub-1", in: tenant, credentials: DeviceCredentials(sasKeys: .set(SASKeys(primary: Self.primaryKey, secondary: Self.secondaryKey))),
            changedBy: "t")
        let message = Array("myhub.azure-devices.net%2Fdevices%2Fhub-1\n1893456000".utf8)
        func sign(_ key: String) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(base64Encoded: key)!)))
        }
        #expect(try await store.verifyDeviceSASSignature(sign(Self.primaryKey), of: message, device: "hub-1", in: tenant))
        #expect(try await store.verifyDeviceSASSignature(sign(Self.secondaryKey), of: message, device: "hub-1", in: tenant))
        let other = Data(repeating: 3, count: 32).base64EncodedString()
        #expect(try await store.verifyDeviceSASSignature(sign(other), of: message, device: "hub-1", in: tenant) == false)
        #expect(try await store.verifyDeviceSASSignature(sign(Self.primaryKey), of: message + [0], device: "hub-1", in: tenant) == false)
        #expect(try await store.verifyDeviceSASSignature(sign(Self.primaryKey), of: message, device: "ghost", in: tenant) == false)
    }

    @Test func tenantsAreIsolated() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.ensureTenant("acme")
        try await store.registerDevice("d1", in: "acme", credentials: DeviceCredentials(secret: .set("acme-secret")), changedBy: "t")
        try await store.registerDevice("d1", in: tenant, credentials: DeviceCredentials(secret: .set("default-secret")), changedBy: "t")
        #expect(try await store.verifyDeviceSecret("acme-secret", of: "d1", in: "acme"))
        #expect(try await store.verifyDeviceSecret("acme-secret", of: "d1", in: tenant) == false)
        #expect(try await store.verifyDeviceSecret("default-secret", of: "d1", in: "acme") == false)
        try await store.registerDevice("d2", in: "acme", changedBy: "t")
        #expect(try await store.devices(in: "acme").map(\.id) == ["d1", "d2"])
        #expect(try await store.devices(in: tenant).map(\.id) == ["d1"])
        try await store.recordDeviceConnection("d1", in: "acme", connected: true, at: StoreFixture.at(9))
        #expect(try await store.device("d1", in: "acme")?.connectionState == .connected)
        #expect(try await store.device("d1", in: tenant)?.connectionState == .disconnected)
        try await store.deleteDevice("d1", in: "acme")
        #expect(try await store.device("d1", in: tenant) != nil)
        #expect(try await store.device("ghost", in: "acme") == nil)
    }

    @Test func deletingTheDeviceKeepsTheTwinAndDeletingTheTwinRemovesTheDevice() async throws {
        let (store, queue) = try StoreFixture.memory()
        try await store.registerDevice("d1", in: tenant, changedBy: "t")
        try await store.registerDevice("d2", in: tenant, changedBy: "t")
        try await store.deleteDevice("d1", in: tenant)
        #expect(try await store.device("d1", in: tenant) == nil)
        #expect(try await store.twin("d1", in: tenant) != nil)
        await #expect(throws: TwinModelError.deviceNotFound("d1")) { try await store.deleteDevice("d1", in: tenant) }

        try await store.deleteTwin("d2", in: tenant)
        #expect(try await store.device("d2", in: tenant) == nil)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM device", in: queue) == 0)
        // Re-created under the same id, the twin has no device until one is registered.
        try await StoreFixture.createTwins(["d2"], in: store)
        #expect(try await store.device("d2", in: tenant) == nil)
    }

    @Test func connectionsAndActivityAreRecorded() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.registerDevice("d1", in: tenant, changedBy: "t", at: StoreFixture.at(1))
        var device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .disconnected && device.lastActivity == nil && device.connectedAt == nil)

        try await store.recordDeviceConnection("d1", in: tenant, connected: true, at: StoreFixture.at(100))
        device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .connected && device.connectedAt == StoreFixture.at(100) && device.lastActivity == StoreFixture.at(100))

        try await store.recordDeviceActivity("d1", in: tenant, at: StoreFixture.at(150))
        try await store.recordDeviceActivity([DeviceAddress(tenant: tenant, id: "d1"), DeviceAddress(tenant: tenant, id: "ghost")], at: StoreFixture.at(140))
        #expect(try await store.device("d1", in: tenant)?.lastActivity == StoreFixture.at(150), "activity never moves back")

        // A takeover: the new connection's connect is recorded before the old one's disconnect.
        try await store.recordDeviceConnection("d1", in: tenant, connected: true, at: StoreFixture.at(200))
        try await store.recordDeviceConnection("d1", in: tenant, connected: false, at: StoreFixture.at(201))
        device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .connected)
        #expect(device.connectedAt == StoreFixture.at(200) && device.disconnectedAt == StoreFixture.at(201))

        try await store.recordDeviceConnection("d1", in: tenant, connected: false, at: StoreFixture.at(300))
        try await store.recordDeviceConnection("d1", in: tenant, connected: false, at: StoreFixture.at(301))
        device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .disconnected && device.disconnectedAt == StoreFixture.at(301) && device.lastActivity == StoreFixture.at(301))
        try await store.recordDeviceConnection("d1", in: tenant, connected: true, at: StoreFixture.at(400))
        #expect(try await store.device("d1", in: tenant)?.connectionState == .connected, "extra disconnects do not go below zero")

        try await store.markAllDevicesDisconnected(at: StoreFixture.at(500))
        device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .disconnected && device.disconnectedAt == StoreFixture.at(500))

        await #expect(throws: TwinModelError.deviceNotFound("ghost")) {
            try await store.recordDeviceConnection("ghost", in: tenant, connected: true)
        }
        // Registering again keeps the connection fields.
        try await store.recordDeviceConnection("d1", in: tenant, connected: true, at: StoreFixture.at(600))
        try await store.registerDevice("d1", in: tenant, status: .disabled, changedBy: "t", at: StoreFixture.at(700))
        device = try #require(try await store.device("d1", in: tenant))
        #expect(device.connectionState == .connected && device.connectedAt == StoreFixture.at(600))
    }

    @Test func devicesArePagedById() async throws {
        let (store, _) = try StoreFixture.memory()
        for id in ["c", "a", "b", "d"] { try await store.registerDevice(id, in: tenant, changedBy: "t") }
        try await StoreFixture.createTwins(["plain-twin"], in: store)
        #expect(try await store.devices(in: tenant).map(\.id) == ["a", "b", "c", "d"])
        #expect(try await store.devices(in: tenant, limit: 2).map(\.id) == ["a", "b"])
        #expect(try await store.devices(in: tenant, after: "b", limit: 2).map(\.id) == ["c", "d"])
        #expect(try await store.devices(in: tenant, after: "d").isEmpty)
    }

    @Test func strictTenantsCheckTheDeviceModel() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.setValidationMode(.strict, of: tenant)
        await #expect(throws: TwinModelError.self) { try await store.registerDevice("d1", in: tenant, changedBy: "t") }
        #expect(try await store.twin("d1", in: tenant) == nil)
        #expect(try await store.device("d1", in: tenant) == nil)
    }

    @Test func aDatabaseFromBeforeTheRegistryUpgradesAndRegistersItsTwins() async throws {
        let queue = try DatabaseQueue()
        try StoreMigrations.migrator.migrate(queue, upTo: "v3-tenant-validation")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO tenant (id, created_at) VALUES ('default', 0)")
            _ = try TwinRow.insert(Twin(id: "old-pump", model: "dtmi:x:Pump;1", at: StoreFixture.at(5)), tenant: "default", in: db)
        }
        let store = try TwinStore(writer: queue, logger: StoreFixture.logger)
        #expect(try store.appliedMigrations().contains("v4-devices"))
        let (device, created) = try await store.registerDevice("old-pump", in: tenant, changedBy: "t")
        #expect(created && device.model == "dtmi:x:Pump;1")
    }

    @Test func usernamesSplitIntoTenantAndDevice() {
        #expect(DeviceAddress(username: "acme/pump-1") == DeviceAddress(tenant: "acme", id: "pump-1"))
        #expect(DeviceAddress(tenant: "acme", id: "pump-1").username == "acme/pump-1")
        for bad in ["acme", "/pump", "acme/", "acme/a/b", ""] { #expect(DeviceAddress(username: bad) == nil, "\(bad)") }
    }
}
