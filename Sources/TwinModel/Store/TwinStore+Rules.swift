import GRDB

/// A rule document as the store keeps it; its meaning is the rules engine's.
public struct StoredRule: Sendable, Equatable {
    public var tenant: String
    public var id: String
    public var document: JSONObject
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
}

extension TwinStore {
    /// Most rules one tenant may have.
    public static let maximumRules = 1_000

    /// Creates or replaces a rule; `true` when it is new.
    @discardableResult
    public func putRule(_ id: String, document: JSONObject, in tenant: String, at time: Timestamp = .now) async throws -> Bool {
        try Identifiers.validate(id, kind: "rule")
        return try await writer.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM rule WHERE tenant = ? AND id = ?", arguments: [tenant, id]) ?? false
            if !exists {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM rule WHERE tenant = ?", arguments: [tenant]) ?? 0
                guard count < Self.maximumRules else {
                    throw TwinModelError.invalidIdentifier(kind: "rule", id: id, reason: "the tenant already has \(Self.maximumRules) rules")
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO rule (tenant, id, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (tenant, id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
                    """,
                arguments: [tenant, id, JSONValue.object(document).encodedString(), time.milliseconds, time.milliseconds])
            return !exists
        }
    }

    public func rule(_ id: String, in tenant: String) async throws -> StoredRule? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM rule WHERE tenant = ? AND id = ?", arguments: [tenant, id]).map(Self.storedRule)
        }
    }

    /// The tenant's rules by id, or every tenant's when `tenant` is `nil`.
    public func rules(in tenant: String? = nil) async throws -> [StoredRule] {
        try await writer.read { db in
            let rows =
                if let tenant {
                    try Row.fetchAll(db, sql: "SELECT * FROM rule WHERE tenant = ? ORDER BY id", arguments: [tenant])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM rule ORDER BY tenant, id")
                }
            return try rows.map(Self.storedRule)
        }
    }

    /// Removes a rule; its alerts stay, for the record.
    public func deleteRule(_ id: String, in tenant: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM rule WHERE tenant = ? AND id = ?", arguments: [tenant, id])
            guard db.changesCount > 0 else { throw TwinModelError.ruleNotFound(id) }
        }
    }

    private static func storedRule(_ row: Row) throws -> StoredRule {
        StoredRule(
            tenant: row["tenant"], id: row["id"], document: try TwinRow.object(row["document"]),
            createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]))
    }
}
