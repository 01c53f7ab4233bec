import GRDB
import OrderedCollections

extension TwinStore {
    /// Creates or updates (by id) every twin and relationship of `graph` in one transaction: all or nothing.
    ///
    /// Re-importing the same graph changes nothing but versions, so imports are idempotent. Documents are
    /// validated against the limits, relationship targets must exist (in the graph or the store), and the
    /// per-twin relationship limits hold. Updates of existing twins go into their history; creations do
    /// not (the import is their origin). A dry run does all of it and then rolls back.
    @discardableResult
    public func importGraph(
        _ graph: GraphImport, in tenant: String, changedBy: String, at time: Timestamp = .now,
        models: [(id: String, body: JSONValue)] = [], dryRun: Bool = false, progress: ImportProgress? = nil
    ) async throws -> ImportSummary {
        defer { observers.graphChanged(tenant: tenant) }
        let models = models.map { StoredModel(id: $0.id, body: $0.body, uploadedAt: time) }
        let configuration = configuration
        let validator = DocumentValidator(limits: configuration.documentLimits)
        var twinIDs = Set<String>(minimumCapacity: graph.twins.count)
        for twin in graph.twins {
            guard twinIDs.insert(twin.id).inserted else { throw TwinModelError.twinAlreadyExists(twin.id) }
            try Identifiers.validate(twin.id, kind: "twin")
            if let path = Twin.firstNullMember(in: twin.properties, path: "properties") { throw TwinModelError.nullValue(path: path) }
            if let path = Twin.firstNullMember(in: twin.reported, path: "reported") { throw TwinModelError.nullValue(path: path) }
            try validator.validate(patch: twin.properties, section: "properties", keyRules: false)
            try TwinSection.checkSize(of: twin.properties, kind: .properties, limits: configuration.documentLimits)
            try validator.validate(patch: twin.reported, section: "reported")
            try TwinSection.checkSize(of: twin.reported, kind: .reported, limits: configuration.documentLimits)
        }
        var relationshipKeys = Set<[String]>(minimumCapacity: graph.relationships.count)
        for relationship in graph.relationships {
            guard relationshipKeys.insert([relationship.source, relationship.id]).inserted else {
                throw TwinModelError.relationshipAlreadyExists(source: relationship.source, id: relationship.id)
            }
            try Identifiers.validate(relationship.id, kind: "relationship")
            try Identifiers.validate(relationship.name, kind: "relationship name")
            try validator.validate(patch: relationship.properties, section: "properties", keyRules: false)
            try TwinSection.checkSize(of: relationship.properties, kind: .properties, limits: configuration.documentLimits)
            if let path = Twin.firstNullMember(in: relationship.properties, path: "properties") { throw TwinModelError.nullValue(path: path) }
        }
        let cache = reportedCache
        let conformanceCache = conformanceCache
        return try await writer.writeWithoutTransaction { db in
            var summary = ImportSummary()
            try db.inTransaction {
                let conformance = try Self.strictConformance(for: tenant, extra: models, cache: conformanceCache, in: db)
                summary = try Self.importGraph(
                    graph, models: models, tenant: tenant, changedBy: changedBy, at: time, configuration: configuration, cache: cache,
                    conformance: conformance, progress: progress, in: db)
                conformanceCache.invalidate(tenant: tenant)
                return dryRun ? .rollback : .commit
            }
            return summary
        }
    }

    private static func importGraph(
        _ graph: GraphImport, models: [StoredModel], tenant: String, changedBy: String, at time: Timestamp,
        configuration: StoreConfiguration, cache: ReportedStateCache, conformance: ModelConformance?, progress: ImportProgress?,
        in db: Database
    ) throws -> ImportSummary {
        try Self.requireTenant(tenant, in: db)
        if let conformance { try check(graph, with: conformance, tenant: tenant, in: db) }
        cache.removeAll()
        var summary = ImportSummary()
        for model in models {
            // Models already stored (or named twice) stay as they are: imports add, never replace, models.
            try db.execute(
                sql: "INSERT INTO model (tenant, id, body, uploaded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [tenant, model.id, model.body.encodedString(), time.milliseconds])
            summary.modelsCreated += db.changesCount
        }
        var keys = try Self.importTwins(
            graph.twins, tenant: tenant, changedBy: changedBy, at: time, limits: configuration.documentLimits, summary: &summary,
            progress: progress, in: db)
        try Self.importRelationships(
            graph.relationships, tenant: tenant, keys: &keys, configuration: configuration, at: time, summary: &summary,
            progress: progress, in: db)
        if let conformance {
            try checkMultiplicity(of: Set(graph.relationships.compactMap { keys[$0.source] }), with: conformance, in: db)
        }
        return summary
    }

    /// Inserts new twins with raw statements and updates existing ones; returns id → row key.
    private static func importTwins(
        _ twins: [ImportedTwin], tenant: String, changedBy: String, at time: Timestamp, limits: DocumentLimits,
        summary: inout ImportSummary, progress: ImportProgress?, in db: Database
    ) throws -> [String: Int64] {
        var keys: [String: Int64] = [:]
        keys.reserveCapacity(twins.count)
        let insert = PreparedStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO twin (tenant, \(TwinRow.storedColumns))
                    VALUES (?, ?, ?, ?, ?, ?, '{}', ?, 0, ?, ?, ?, '{}', ?, 0, ?, ?, ?)
                    ON CONFLICT (tenant, id) DO NOTHING
                    """),
            in: db)
        let emptyMetadata = TwinRow.bytes(SectionMetadata(lastUpdated: time, lastUpdatedVersion: 0))
        var buffer: [UInt8] = []
        for twin in twins {
            progress?.advance()
            // Insert first: in a bulk load nearly every twin is new, so the existence check is the insert's own.
            let propertiesVersion: Int64 = twin.properties.isEmpty ? 0 : 1
            let reportedVersion: Int64 = twin.reported.isEmpty ? 0 : 1
            insert.bind(1, text: tenant)
            insert.bind(2, text: twin.id)
            if let model = twin.model { insert.bind(3, text: model) }
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(twin.properties).write(to: &buffer)
            insert.bind(4, text: buffer)
            insert.bind(5, text: TwinRow.bytes(SectionMetadata.stamping(twin.properties, at: time, version: propertiesVersion)))
            insert.bind(6, propertiesVersion)
            insert.bind(7, text: emptyMetadata)
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(twin.reported).write(to: &buffer)
            insert.bind(8, text: buffer)
            insert.bind(9, text: TwinRow.bytes(SectionMetadata.stamping(twin.reported, at: time, version: reportedVersion)))
            insert.bind(10, reportedVersion)
            insert.bind(11, text: emptyMetadata)
            insert.bind(12, 1 + propertiesVersion + reportedVersion)
            insert.bind(13, time.milliseconds)
            insert.bind(14, time.milliseconds)
            _ = try insert.step()
            insert.reset()
            if db.changesCount == 1 {
                keys[twin.id] = db.lastInsertedRowID
                summary.twinsCreated += 1
            } else {
                keys[twin.id] = try updateImported(twin, tenant: tenant, changedBy: changedBy, at: time, limits: limits, in: db)
                summary.twinsUpdated += 1
            }
        }
        return keys
    }

    /// Brings an existing twin to the imported model, properties and reported state, recording the changes.
    private static func updateImported(
        _ twin: ImportedTwin, tenant: String, changedBy: String, at time: Timestamp, limits: DocumentLimits, in db: Database
    ) throws -> Int64 {
        guard let existing = try loadTwin(twin.id, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin.id) }
        var updated = existing.twin
        let change = try updated.replace(.properties, with: twin.properties, at: time, limits: limits)
        try record(change, of: updated, tenant: tenant, changedBy: changedBy, in: db)
        if !twin.reported.isEmpty {
            let reported = try updated.apply(mergePatch: twin.reported, to: .reported, at: time, limits: limits)
            try record(reported, of: updated, tenant: tenant, changedBy: changedBy, in: db)
        }
        updated.model = twin.model  // part of the same import: no version of its own
        try TwinRow.update(updated, pk: existing.pk, in: db)
        return existing.pk
    }

    private static func importRelationships(
        _ relationships: [ImportedRelationship], tenant: String, keys: inout [String: Int64], configuration: StoreConfiguration,
        at time: Timestamp, summary: inout ImportSummary, progress: ImportProgress?, in db: Database
    ) throws {
        func key(_ id: String) throws -> Int64 {
            if let known = keys[id] { return known }
            guard let found = try twinKey(id, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(id) }
            keys[id] = found
            return found
        }
        let upsert = PreparedStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO relationship (tenant, source, id, target, name, properties, version, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                    ON CONFLICT (source, id) DO UPDATE SET target = excluded.target, name = excluded.name,
                    properties = excluded.properties, version = version + 1
                    RETURNING version
                    """),
            in: db)
        var touched: Set<Int64> = []
        var buffer: [UInt8] = []
        for relationship in relationships {
            progress?.advance()
            let source = try key(relationship.source)
            let target = try key(relationship.target)
            touched.insert(source)
            touched.insert(target)
            upsert.bind(1, text: tenant)
            upsert.bind(2, source)
            upsert.bind(3, text: relationship.id)
            upsert.bind(4, target)
            upsert.bind(5, text: relationship.name)
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(relationship.properties).write(to: &buffer)
            upsert.bind(6, text: buffer)
            upsert.bind(7, time.milliseconds)
            defer { upsert.reset() }
            // A created relationship starts at version 1; an updated one is past it.
            if try upsert.step(), upsert.int64(0) == 1 { summary.relationshipsCreated += 1 }
        }
        summary.relationshipsUpdated = relationships.count - summary.relationshipsCreated
        try checkRelationshipLimits(of: touched, configuration: configuration, in: db)
    }

    /// Refuses the import when any twin it touched ends up over a relationship limit.
    ///
    /// Only touched twins can be over (the limits held before), so small imports count just those; large
    /// ones scan the relationship indexes once instead of running a query per twin.
    private static func checkRelationshipLimits(of twins: Set<Int64>, configuration: StoreConfiguration, in db: Database) throws {
        let directions = [
            ("source", "outgoing", configuration.maximumOutgoingRelationships),
            ("target", "incoming", configuration.maximumIncomingRelationships),
        ]
        for (column, direction, limit) in directions {
            let overLimit: Int64?
            if twins.count < 10_000 {
                let count = try db.cachedStatement(sql: "SELECT COUNT(*) FROM relationship WHERE \(column) = ?")
                overLimit = try twins.first { try Int.fetchOne(count, arguments: [$0]) ?? 0 > limit }
            } else {
                overLimit = try Int64.fetchOne(
                    db, sql: "SELECT \(column) FROM relationship GROUP BY \(column) HAVING COUNT(*) > ? LIMIT 1", arguments: [limit])
            }
            if let pk = overLimit {
                let id = try String.fetchOne(db, sql: "SELECT id FROM twin WHERE pk = ?", arguments: [pk]) ?? String(pk)
                throw TwinModelError.relationshipLimitExceeded(twin: id, direction: direction, limit: limit)
            }
        }
    }
}
