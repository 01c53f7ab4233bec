import GRDB
import OrderedCollections

/// A change to one section of a twin, in either patch language.
public enum SectionPatch: Sendable, Hashable {
    /// RFC 7396: objects merge, `null` deletes.
    case merge(JSONObject)
    /// RFC 6902: a list of operations; the section must remain an object.
    case json(JSONPatch)
}

extension TwinStore {
    /// The twin, or `nil` when it does not exist.
    public func twin(_ id: String, in tenant: String) async throws -> Twin? {
        try await writer.read { db in try Self.loadTwin(id, tenant: tenant, in: db)?.twin }
    }

    /// Creates a twin, or replaces an existing twin's model and properties (`PUT`).
    ///
    /// - Parameters:
    ///   - createOnly: refuse when the twin exists (`If-None-Match: *`).
    ///   - ifMatch: the etag the caller last saw; `*` or `nil` accepts any.
    /// - Returns: the stored twin and whether it was created.
    @discardableResult
    public func putTwin(
        _ id: String,
        model: String?,
        properties: JSONObject,
        in tenant: String,
        createOnly: Bool = false,
        ifMatch: String? = nil,
        changedBy: String,
        at time: Timestamp = .now
    ) async throws -> (twin: Twin, created: Bool) {
        defer { observers.graphChanged(tenant: tenant) }
        try Identifiers.validate(id, kind: "twin")
        if let path = Twin.firstNullMember(in: properties, path: "properties") { throw TwinModelError.nullValue(path: path) }
        let limits = configuration.documentLimits
        let cache = reportedCache
        let conformanceCache = conformanceCache
        return try await writer.write { db in
            try Self.requireTenant(tenant, in: db)
            cache.invalidate(tenant: tenant, twin: id)
            let conformance = try Self.strictConformance(for: tenant, cache: conformanceCache, in: db)
            try conformance?.checkTwin(id, model: model, properties: properties)
            if let (pk, existing) = try Self.loadTwin(id, tenant: tenant, in: db) {
                if createOnly { throw TwinModelError.twinAlreadyExists(id) }
                try Self.checkPrecondition(ifMatch, etag: existing.etag)
                var twin = existing
                let change = try twin.replace(.properties, with: properties, at: time, limits: limits)
                twin.model = model  // part of the same PUT: one version
                try TwinRow.update(twin, pk: pk, in: db)
                if let conformance, existing.model != model { try Self.checkRelationships(of: pk, with: conformance, in: db) }
                try Self.record(change, of: twin, tenant: tenant, changedBy: changedBy, in: db)
                return (twin, false)
            }
            if let ifMatch { throw TwinModelError.preconditionFailed(expected: ifMatch, actual: "none") }
            try DocumentValidator(limits: limits).validate(patch: properties, section: "properties", keyRules: false)
            try TwinSection.checkSize(of: properties, kind: .properties, limits: limits)
            var twin = Twin(id: id, model: model, properties: properties, at: time)
            twin.incarnation = try TwinRow.insert(twin, tenant: tenant, in: db)
            if !properties.isEmpty {
                let creation = SectionChange(
                    kind: .properties, patch: properties, inverse: properties.mapValues { _ in .null },
                    version: twin.properties.version, time: time)
                try Self.record(creation, of: twin, tenant: tenant, changedBy: changedBy, in: db)
            }
            return (twin, true)
        }
    }

    /// Applies a patch to one section of a twin, all or nothing, and records it in history.
    @discardableResult
    public func patchTwin(
        _ id: String,
        section: TwinSection.Kind,
        with patch: SectionPatch,
        in tenant: String,
        ifMatch: String? = nil,
        changedBy: String,
        at time: Timestamp = .now
    ) async throws -> Twin {
        let limits = configuration.documentLimits
        let cache = reportedCache
        let conformanceCache = conformanceCache
        let twin = try await writer.write { db in
            var (pk, twin) = try Self.loadForChange(id, tenant: tenant, ifMatch: ifMatch, cache: cache, in: db)
            let change: SectionChange
            switch patch {
            case .merge(let object): change = try twin.apply(mergePatch: object, to: section, at: time, limits: limits)
            case .json(let operations): change = try twin.apply(jsonPatch: operations, to: section, at: time, limits: limits)
            }
            if section == .properties, let conformance = try Self.strictConformance(for: tenant, cache: conformanceCache, in: db) {
                try conformance.checkTwin(id, model: twin.model, properties: twin.properties.value)
            }
            try TwinRow.update(section, of: twin, pk: pk, in: db)
            try Self.record(change, of: twin, tenant: tenant, changedBy: changedBy, in: db)
            return twin
        }
        if section == .desired { observers.desiredChanged(tenant: tenant, twin: twin) }
        if section == .properties { observers.graphChanged(tenant: tenant) }
        return twin
    }

    /// Sets a twin's model, bumping its version.
    @discardableResult
    public func setModel(_ model: String?, of id: String, in tenant: String, ifMatch: String? = nil, at time: Timestamp = .now) async throws -> Twin {
        defer { observers.graphChanged(tenant: tenant) }
        let cache = reportedCache
        let conformanceCache = conformanceCache
        return try await writer.write { db in
            var (pk, twin) = try Self.loadForChange(id, tenant: tenant, ifMatch: ifMatch, cache: cache, in: db)
            twin.setModel(model, at: time)
            try TwinRow.update(twin, pk: pk, in: db)
            if let conformance = try Self.strictConformance(for: tenant, cache: conformanceCache, in: db) {
                try conformance.checkTwin(id, model: model, properties: twin.properties.value)
                try Self.checkRelationships(of: pk, with: conformance, in: db)
            }
            return twin
        }
    }

    /// Deletes a twin; refused while it has relationships unless `cascade` deletes them too.
    public func deleteTwin(_ id: String, in tenant: String, cascade: Bool = false, ifMatch: String? = nil) async throws {
        defer { observers.graphChanged(tenant: tenant) }
        let cache = reportedCache
        try await writer.write { db in
            let (pk, _) = try Self.loadForChange(id, tenant: tenant, ifMatch: ifMatch, cache: cache, in: db)
            if !cascade {
                let outgoing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM relationship WHERE source = ?", arguments: [pk]) ?? 0
                let incoming = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM relationship WHERE target = ?", arguments: [pk]) ?? 0
                if outgoing + incoming > 0 {
                    throw TwinModelError.twinHasRelationships(id: id, outgoing: outgoing, incoming: incoming)
                }
            }
            try db.execute(sql: "DELETE FROM twin WHERE pk = ?", arguments: [pk])
        }
    }

    /// The number of twins in a tenant.
    public func twinCount(in tenant: String) async throws -> Int {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM twin WHERE tenant = ?", arguments: [tenant]) ?? 0
        }
    }

    static func loadTwin(_ id: String, tenant: String, in db: Database) throws -> (pk: Int64, twin: Twin)? {
        let statement = try db.cachedStatement(sql: "SELECT \(TwinRow.columns) FROM twin WHERE tenant = ? AND id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [tenant, id]) else { return nil }
        return try TwinRow.decode(row)
    }

    /// The twin a write is about to change: it must exist and match `ifMatch`; the batch path's cached
    /// copy of it is dropped first.
    static func loadForChange(
        _ id: String, tenant: String, ifMatch: String?, cache: ReportedStateCache, in db: Database
    ) throws -> (pk: Int64, twin: Twin) {
        cache.invalidate(tenant: tenant, twin: id)
        guard let loaded = try loadTwin(id, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(id) }
        try checkPrecondition(ifMatch, etag: loaded.twin.etag)
        return loaded
    }

    static func checkPrecondition(_ ifMatch: String?, etag: String) throws {
        guard let ifMatch, ifMatch != "*" else { return }
        if ifMatch != etag { throw TwinModelError.preconditionFailed(expected: ifMatch, actual: etag) }
    }
}
