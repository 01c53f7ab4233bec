import Crypto
import Foundation
import GRDB

/// Checks of the credentials a device presents. Each answers `false` for an unknown or disabled device and
/// for a credential that is not registered, so a caller cannot let a disabled device in by forgetting to
/// look at its status; `device(_:in:)` tells the cases apart when a caller needs to.
extension TwinStore {
    /// Whether `secret` is the registered secret of an enabled device (native MQTT password).
    public func verifyDeviceSecret(_ secret: some Collection<UInt8> & Sendable, of id: String, in tenant: String) async throws -> Bool {
        let encoded = try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT secret_hash FROM device WHERE tenant = ? AND id = ? AND status = 'enabled'", arguments: [tenant, id])
        }
        guard let encoded, let hash = DeviceSecretHash(encoded: encoded) else { return false }
        return hash.verifies(secret)
    }

    /// Whether `secret` is the registered secret of an enabled device.
    public func verifyDeviceSecret(_ secret: String, of id: String, in tenant: String) async throws -> Bool {
        try await verifyDeviceSecret(Array(secret.utf8), of: id, in: tenant)
    }

    /// Whether `signature` is HMAC-SHA256 of `message` keyed with the enabled device's primary or secondary
    /// SAS key (base64-decoded). For an IoT Hub SAS token, `message` is `{url-encoded sr}\n{se}` and
    /// `signature` the base64-decoded `sig`; checking `se` against the clock is the caller's.
    public func verifyDeviceSASSignature(
        _ signature: some Collection<UInt8> & Sendable, of message: some Collection<UInt8> & Sendable, device id: String, in tenant: String
    ) async throws -> Bool {
        let stored = try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT sas_primary, sas_secondary FROM device WHERE tenant = ? AND id = ? AND status = 'enabled'",
                arguments: [tenant, id]
            ).map { row -> [String?] in [row["sas_primary"], row["sas_secondary"]] }
        }
        let keys = (stored ?? []).compactMap { $0.flatMap { Data(base64Encoded: $0) } }
        let bytes = Data(message)
        var matched = false
        for key in keys {
            let code = HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key))
            matched = DeviceSecretHash.constantTimeEqual(Array(code), signature) || matched
        }
        return matched
    }

    /// Whether the DER certificate `certificate` has a registered thumbprint (SHA-256 or SHA-1) of an
    /// enabled device.
    public func verifyDeviceCertificate(_ certificate: some Collection<UInt8> & Sendable, of id: String, in tenant: String) async throws -> Bool {
        let stored = try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT x509_thumbprints FROM device WHERE tenant = ? AND id = ? AND status = 'enabled'", arguments: [tenant, id])
        }
        let registered = DeviceRow.thumbprints(stored ?? "")
        guard !registered.isEmpty else { return false }
        let der = Data(certificate)
        let presented = [Self.hex(SHA256.hash(data: der)), Self.hex(Insecure.SHA1.hash(data: der))]
        return registered.contains { presented.contains($0) }
    }

    /// Lowercase hex of a digest, the form thumbprints are stored in.
    static func hex(_ digest: some Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
