import Crypto
import Foundation
import GRDB

/// What a bearer token may do.
public enum AccessRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Reads twins, relationships, models, telemetry and alerts.
    case viewer
    /// Also changes desired state, runs commands and jobs, acknowledges alerts.
    case `operator`
    /// Also changes models, tokens, devices and rules; may act in any tenant.
    case admin

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool { lhs.rank < rhs.rank }
}

/// The tenant and role a presented token grants.
public struct AccessGrant: Sendable, Hashable {
    public var tenant: String
    public var role: AccessRole
    public var name: String
}

extension TwinStore {
    /// Creates a random bearer token for `tenant`; only its SHA-256 is stored, so this is the one chance to see it.
    public func createAccessToken(tenant: String, role: AccessRole, name: String, at time: Timestamp = .now) async throws -> String {
        try await createAccessToken(Self.randomToken(), tenant: tenant, role: role, name: name, at: time)
    }

    /// Stores a caller-chosen token (e.g. `--admin-token`); storing the same token again changes nothing.
    @discardableResult
    public func createAccessToken(_ token: String, tenant: String, role: AccessRole, name: String, at time: Timestamp = .now) async throws -> String {
        let hash = Self.hash(token)
        try await writer.write { db in
            try Self.requireTenant(tenant, in: db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO access_token (hash, tenant, role, name, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [hash, tenant, role.rawValue, name, time.milliseconds]
            )
        }
        return token
    }

    /// The grant of a presented token, or `nil` when it is unknown.
    public func grant(for token: String) async throws -> AccessGrant? {
        let hash = Self.hash(token)
        return try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT tenant, role, name FROM access_token WHERE hash = ?", arguments: [hash]),
                let role = AccessRole(rawValue: row["role"])
            else { return nil }
            return AccessGrant(tenant: row["tenant"], role: role, name: row["name"])
        }
    }

    /// Whether any admin token exists, i.e. whether first-start set-up has happened.
    public func hasAdminToken() async throws -> Bool {
        try await writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM access_token WHERE role = 'admin' LIMIT 1") ?? false
        }
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// 256 random bits, URL-safe, with a prefix that makes leaked tokens easy to find in logs and code.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "dop_" + base64
    }
}
