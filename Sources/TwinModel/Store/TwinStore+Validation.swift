import GRDB

/// How a tenant treats twins and relationships that don't match their models.
public enum ValidationMode: String, Sendable, CaseIterable {
    /// Models are optional and not enforced, as in Azure Digital Twins before a model is uploaded.
    case lenient
    /// Every twin needs an uploaded model; properties, relationships, their targets and
    /// `maxMultiplicity` are checked against the model's effective contents on every write.
    case strict
}

extension TwinStore {
    /// The tenant's validation mode.
    public func validationMode(of tenant: String) async throws -> ValidationMode {
        try await writer.read { db in try Self.validationMode(of: tenant, in: db) }
    }

    /// Sets the tenant's validation mode. Turning strict on first checks the whole graph and refuses,
    /// naming the first violations, when any twin or relationship does not match its model.
    public func setValidationMode(_ mode: ValidationMode, of tenant: String) async throws {
        let cache = conformanceCache
        try await writer.write { db in
            try Self.requireTenant(tenant, in: db)
            if mode == .strict {
                let conformance = try cache.conformance(for: tenant, in: db)
                try Self.checkWholeGraph(of: tenant, with: conformance, in: db)
            }
            try db.execute(sql: "UPDATE tenant SET validation = ? WHERE id = ?", arguments: [mode.rawValue, tenant])
        }
    }

    static func validationMode(of tenant: String, in db: Database) throws -> ValidationMode {
        guard let raw = try String.fetchOne(db, sql: "SELECT validation FROM tenant WHERE id = ?", arguments: [tenant]) else {
            throw TwinModelError.tenantNotFound(tenant)
        }
        return ValidationMode(rawValue: raw) ?? .lenient
    }

    /// The checker for a strict tenant, `nil` for a lenient one.
    static func strictConformance(
        for tenant: String, extra: [StoredModel] = [], cache: ConformanceCache, in db: Database
    ) throws -> ModelConformance? {
        guard try validationMode(of: tenant, in: db) == .strict else { return nil }
        return try cache.conformance(for: tenant, extra: extra, in: db)
    }

    /// Refuses when any of `sources` has more relationships of one name than its model's `maxMultiplicity`.
    static func checkMultiplicity(of sources: some Sequence<Int64>, with conformance: ModelConformance, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                SELECT t.id, t.model, r.name, COUNT(*) FROM relationship r JOIN twin t ON t.pk = r.source
                WHERE r.source = ? GROUP BY r.name
                """)
        for source in sources {
            for row in try Row.fetchAll(statement, arguments: [source]) {
                let (twin, model, name, count): (String, String?, String, Int) = (row[0], row[1], row[2], row[3])
                if let maximum = conformance.maxMultiplicity(of: name, in: model), count > maximum {
                    throw TwinModelError.modelViolation(
                        path: "twins/\(twin)/relationships",
                        reason: "\(count) \"\(name)\" relationships; model \(model ?? "(none)") allows at most \(maximum)")
                }
            }
        }
    }

    /// Checks every relationship into or out of one twin, after its model changed.
    static func checkRelationships(of twin: Int64, with conformance: ModelConformance, in db: Database) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, s.id, r.name, s.model, t.model, r.properties FROM relationship r
                JOIN twin s ON s.pk = r.source JOIN twin t ON t.pk = r.target WHERE r.source = ?1 OR r.target = ?1
                """,
            arguments: [twin])
        for row in rows {
            try checkRelationshipRow(row, with: conformance)
        }
        try checkMultiplicity(of: [twin], with: conformance, in: db)
    }

    /// A row of `id, source id, name, source model, target model, properties`.
    private static func checkRelationshipRow(_ row: Row, with conformance: ModelConformance) throws {
        let properties = try JSONParser().parse(row[5] as String).objectValue ?? [:]
        try conformance.checkRelationship(
            row[0], source: row[1], name: row[2], sourceModel: row[3], targetModel: row[4], properties: properties)
    }

    /// Checks an import's twins, and its relationships against the models of their ends (in the import or
    /// already stored), before anything is written.
    static func check(_ graph: GraphImport, with conformance: ModelConformance, tenant: String, in db: Database) throws {
        var models: [String: String?] = [:]
        models.reserveCapacity(graph.twins.count)
        for twin in graph.twins {
            try conformance.checkTwin(twin.id, model: twin.model, properties: twin.properties)
            models[twin.id] = .some(twin.model)
        }
        let storedModel = try db.cachedStatement(sql: "SELECT model FROM twin WHERE tenant = ? AND id = ?")
        func model(of id: String) throws -> String? {
            if let known = models[id] { return known }
            let found = try String?.fetchOne(storedModel, arguments: [tenant, id]) ?? nil
            models[id] = .some(found)
            return found
        }
        for relationship in graph.relationships {
            try conformance.checkRelationship(
                relationship.id, source: relationship.source, name: relationship.name, sourceModel: try model(of: relationship.source),
                targetModel: try model(of: relationship.target), properties: relationship.properties)
        }
    }

    private static func checkWholeGraph(of tenant: String, with conformance: ModelConformance, in db: Database) throws {
        var violations: [String] = []
        func note(_ check: () throws -> Void) throws {
            do { try check() } catch let error as TwinModelError {
                violations.append(error.description)
                if violations.count >= 20 { throw refusal(violations) }
            }
        }
        let twins = try Row.fetchCursor(db, sql: "SELECT id, model, properties FROM twin WHERE tenant = ?", arguments: [tenant])
        while let row = try twins.next() {
            let properties = try JSONParser().parse(row["properties"] as String).objectValue ?? [:]
            try note { try conformance.checkTwin(row["id"], model: row["model"], properties: properties) }
        }
        let relationships = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.id, s.id, r.name, s.model, t.model, r.properties FROM relationship r
                JOIN twin s ON s.pk = r.source JOIN twin t ON t.pk = r.target WHERE r.tenant = ?
                """,
            arguments: [tenant])
        while let row = try relationships.next() {
            try note { try checkRelationshipRow(row, with: conformance) }
        }
        let sources = try Int64.fetchAll(db, sql: "SELECT DISTINCT source FROM relationship WHERE tenant = ?", arguments: [tenant])
        try note { try checkMultiplicity(of: sources, with: conformance, in: db) }
        if !violations.isEmpty { throw refusal(violations) }
    }

    private static func refusal(_ violations: [String]) -> TwinModelError {
        let more = violations.count >= 20 ? " (and possibly more)" : ""
        return .modelViolation(
            path: "tenant", reason: "strict mode refused: \(violations.count) violations\(more): " + violations.joined(separator: "; "))
    }
}
