import GRDB

/// A model (DTDL interface) as uploaded.
public struct StoredModel: Sendable, Hashable {
    /// The interface's DTMI.
    public var id: String
    /// The DTDL document exactly as uploaded.
    public var body: JSONValue
    public var uploadedAt: Timestamp
}

extension TwinStore {
    /// Stores models, all or none; refuses any id that already exists in the tenant.
    public func addModels(_ models: [(id: String, body: JSONValue)], in tenant: String, at time: Timestamp = .now) async throws -> [StoredModel] {
        let sendable = models.map { StoredModel(id: $0.id, body: $0.body, uploadedAt: time) }
        return try await writer.write { db in
            try Self.requireTenant(tenant, in: db)
            var seen = Set<String>()
            for model in sendable {
                guard seen.insert(model.id).inserted else { throw TwinModelError.modelAlreadyExists(model.id) }
                let exists = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM model WHERE tenant = ? AND id = ?", arguments: [tenant, model.id]) ?? false
                if exists { throw TwinModelError.modelAlreadyExists(model.id) }
                try db.execute(
                    sql: "INSERT INTO model (tenant, id, body, uploaded_at) VALUES (?, ?, ?, ?)",
                    arguments: [tenant, model.id, model.body.encodedString(), time.milliseconds]
                )
            }
            return sendable
        }
    }

    /// Every model of the tenant, ordered by id.
    public func models(in tenant: String) async throws -> [StoredModel] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, body, uploaded_at FROM model WHERE tenant = ? ORDER BY id", arguments: [tenant])
                .map(Self.decodeModel)
        }
    }

    /// One model, or `nil`.
    public func model(_ id: String, in tenant: String) async throws -> StoredModel? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT id, body, uploaded_at FROM model WHERE tenant = ? AND id = ?", arguments: [tenant, id])
                .map(Self.decodeModel)
        }
    }

    /// Deletes one model.
    public func deleteModel(_ id: String, in tenant: String) async throws {
        let conformanceCache = conformanceCache
        try await writer.write { db in
            // An unknown tenant has no models: the delete below answers modelNotFound, as before strict mode.
            if try String.fetchOne(db, sql: "SELECT validation FROM tenant WHERE id = ?", arguments: [tenant]) == ValidationMode.strict.rawValue {
                let users = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM twin WHERE tenant = ? AND model = ?", arguments: [tenant, id]) ?? 0
                if users > 0 { throw TwinModelError.modelInUse(id: id, twins: users) }
            }
            conformanceCache.invalidate(tenant: tenant)
            try db.execute(sql: "DELETE FROM model WHERE tenant = ? AND id = ?", arguments: [tenant, id])
            if db.changesCount == 0 { throw TwinModelError.modelNotFound(id) }
        }
    }

    private static func decodeModel(_ row: Row) throws -> StoredModel {
        StoredModel(id: row["id"], body: try JSONParser().parse(row["body"] as String), uploadedAt: Timestamp(milliseconds: row["uploaded_at"]))
    }
}
