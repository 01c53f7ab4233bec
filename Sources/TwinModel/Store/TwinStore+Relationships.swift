import GRDB
import OrderedCollections

extension TwinStore {
    private static let relationshipColumns = """
        r.pk, r.id, s.id AS source, t.id AS target, r.name, r.properties, r.version, r.created_at
        """
    private static let relationshipJoin = "relationship r JOIN twin s ON s.pk = r.source JOIN twin t ON t.pk = r.target"

    /// Creates or replaces a relationship of `source` (`PUT`); the target must exist in the same tenant.
    @discardableResult
    public func putRelationship(
        _ id: String,
        from source: String,
        to target: String,
        name: String,
        properties: JSONObject = [:],
        in tenant: String,
        createOnly: Bool = false,
        ifMatch: String? = nil,
        at time: Timestamp = .now
    ) async throws -> (relationship: Relationship, created: Bool) {
        defer { observers.graphChanged(tenant: tenant) }
        try Identifiers.validate(id, kind: "relationship")
        try Identifiers.validate(name, kind: "relationship name")
        try DocumentValidator(limits: configuration.documentLimits).validate(patch: properties, section: "properties", keyRules: false)
        try TwinSection.checkSize(of: properties, kind: .properties, limits: configuration.documentLimits)
        if let path = Twin.firstNullMember(in: properties, path: "properties") { throw TwinModelError.nullValue(path: path) }
        let configuration = configuration
        let conformanceCache = conformanceCache
        return try await writer.write { db in
            guard let sourcePK = try Self.twinKey(source, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(source) }
            guard let targetPK = try Self.twinKey(target, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(target) }
            if let conformance = try Self.strictConformance(for: tenant, cache: conformanceCache, in: db) {
                let models = try String?.fetchAll(
                    db, sql: "SELECT model FROM twin WHERE pk = ? UNION ALL SELECT model FROM twin WHERE pk = ?",
                    arguments: [sourcePK, targetPK])
                let maximum = try conformance.checkRelationship(
                    id, source: source, name: name, sourceModel: models.first ?? nil, targetModel: models.last ?? nil,
                    properties: properties)
                let others = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM relationship WHERE source = ? AND name = ? AND id != ?",
                    arguments: [sourcePK, name, id]) ?? 0
                if let maximum, others >= maximum {
                    throw TwinModelError.modelViolation(
                        path: "twins/\(source)/relationships/\(id)",
                        reason: "twin \(source) already has \(others) \"\(name)\" relationships; its model allows at most \(maximum)")
                }
            }
            if let existing = try Self.loadRelationship(id, source: source, tenant: tenant, in: db) {
                if createOnly { throw TwinModelError.relationshipAlreadyExists(source: source, id: id) }
                try Self.checkPrecondition(ifMatch, etag: existing.etag)
                var replaced = Relationship(
                    id: id, source: source, target: target, name: name, properties: properties,
                    version: existing.version + 1, createdAt: existing.createdAt, incarnation: existing.incarnation
                )
                if existing.target != target {
                    try Self.checkIncoming(targetPK, target: target, limit: configuration.maximumIncomingRelationships, in: db)
                }
                try db.execute(
                    sql: "UPDATE relationship SET target = ?, name = ?, properties = ?, version = ? WHERE source = ? AND id = ?",
                    arguments: [targetPK, name, TwinRow.text(properties), replaced.version, sourcePK, id]
                )
                replaced.target = target
                return (replaced, false)
            }
            if let ifMatch { throw TwinModelError.preconditionFailed(expected: ifMatch, actual: "none") }
            let outgoing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM relationship WHERE source = ?", arguments: [sourcePK]) ?? 0
            if outgoing >= configuration.maximumOutgoingRelationships {
                throw TwinModelError.relationshipLimitExceeded(
                    twin: source, direction: "outgoing", limit: configuration.maximumOutgoingRelationships)
            }
            try Self.checkIncoming(targetPK, target: target, limit: configuration.maximumIncomingRelationships, in: db)
            try db.execute(
                sql: """
                    INSERT INTO relationship (tenant, source, id, target, name, properties, version, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                    """,
                arguments: [tenant, sourcePK, id, targetPK, name, TwinRow.text(properties), time.milliseconds]
            )
            let created = Relationship(
                id: id, source: source, target: target, name: name, properties: properties, createdAt: time,
                incarnation: db.lastInsertedRowID)
            return (created, true)
        }
    }

    private static func checkIncoming(_ targetPK: Int64, target: String, limit: Int, in db: Database) throws {
        let incoming = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM relationship WHERE target = ?", arguments: [targetPK]) ?? 0
        if incoming >= limit {
            throw TwinModelError.relationshipLimitExceeded(twin: target, direction: "incoming", limit: limit)
        }
    }

    /// One relationship of `source`, or `nil`.
    public func relationship(_ id: String, of source: String, in tenant: String) async throws -> Relationship? {
        try await writer.read { db in try Self.loadRelationship(id, source: source, tenant: tenant, in: db) }
    }

    /// The relationships leaving `source`, optionally only those named `name`; throws when the twin does not exist.
    public func relationships(of source: String, named name: String? = nil, in tenant: String) async throws -> [Relationship] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(source, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(source) }
            let filter = name == nil ? "" : " AND r.name = ?"
            let arguments: StatementArguments = name.map { [pk, $0] } ?? [pk]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.relationshipColumns) FROM \(Self.relationshipJoin) WHERE r.source = ?\(filter) ORDER BY r.id",
                arguments: arguments
            )
            return try rows.map(Self.decodeRelationship)
        }
    }

    /// The relationships arriving at `target`; throws when the twin does not exist.
    public func incomingRelationships(of target: String, in tenant: String) async throws -> [Relationship] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(target, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(target) }
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.relationshipColumns) FROM \(Self.relationshipJoin) WHERE r.target = ? ORDER BY s.id, r.id",
                arguments: [pk]
            )
            return try rows.map(Self.decodeRelationship)
        }
    }

    /// Deletes one relationship of `source`.
    public func deleteRelationship(_ id: String, of source: String, in tenant: String, ifMatch: String? = nil) async throws {
        defer { observers.graphChanged(tenant: tenant) }
        try await writer.write { db in
            guard let existing = try Self.loadRelationship(id, source: source, tenant: tenant, in: db),
                let pk = try Self.twinKey(source, tenant: tenant, in: db)
            else {
                throw TwinModelError.relationshipNotFound(source: source, id: id)
            }
            try Self.checkPrecondition(ifMatch, etag: existing.etag)
            try db.execute(sql: "DELETE FROM relationship WHERE source = ? AND id = ?", arguments: [pk, id])
        }
    }

    static func twinKey(_ id: String, tenant: String, in db: Database) throws -> Int64? {
        let statement = try db.cachedStatement(sql: "SELECT pk FROM twin WHERE tenant = ? AND id = ?")
        return try Int64.fetchOne(statement, arguments: [tenant, id])
    }

    private static func loadRelationship(_ id: String, source: String, tenant: String, in db: Database) throws -> Relationship? {
        let row = try Row.fetchOne(
            db,
            sql: "SELECT \(relationshipColumns) FROM \(relationshipJoin) WHERE s.tenant = ? AND s.id = ? AND r.id = ?",
            arguments: [tenant, source, id]
        )
        return try row.map(decodeRelationship)
    }

    private static func decodeRelationship(_ row: Row) throws -> Relationship {
        Relationship(
            id: row["id"], source: row["source"], target: row["target"], name: row["name"],
            properties: try TwinRow.object(row["properties"]), version: row["version"],
            createdAt: Timestamp(milliseconds: row["created_at"]), incarnation: row["pk"]
        )
    }
}
