import GRDB
import OrderedCollections

/// One device's reported-state merge patch, as the telemetry and sync paths hand them over in batches.
public struct ReportedPatch: Sendable, Hashable {
    public var tenant: String
    public var twin: String
    public var patch: JSONObject
    public var changedBy: String

    public init(tenant: String, twin: String, patch: JSONObject, changedBy: String) {
        self.tenant = tenant
        self.twin = twin
        self.patch = patch
        self.changedBy = changedBy
    }
}

/// What an accepted reported patch led to.
public struct ReportedOutcome: Sendable, Hashable {
    /// The reported section's version after this patch.
    public var reportedVersion: Int64
    /// The twin's version after this patch.
    public var twinVersion: Int64
}

extension TwinStore {
    /// Applies many reported-state patches in one transaction: the hot path of telemetry and twin sync.
    ///
    /// Each patch succeeds or fails on its own (an invalid patch or unknown twin does not hold back the
    /// rest); outcomes come back in input order. Several patches to one twin are applied in order, and
    /// the twin row is written once per batch.
    public func applyReported(_ batch: [ReportedPatch], at time: Timestamp = .now) async throws -> [Result<ReportedOutcome, TwinModelError>] {
        let limits = configuration.documentLimits
        let cache = reportedCache
        return try await writer.write { db in try Self.applyReported(batch, at: time, limits: limits, cache: cache, in: db) }
    }

    static func applyReported(
        _ batch: [ReportedPatch],
        at time: Timestamp,
        limits: DocumentLimits,
        cache: ReportedStateCache,
        in db: Database
    ) throws -> [Result<ReportedOutcome, TwinModelError>] {
        cache.revalidate(dataVersion: try dataVersion(of: db))
        let select = PreparedStatement(
            try db.cachedStatement(sql: "SELECT pk, reported, reported_meta, reported_version, version FROM twin WHERE tenant = ? AND id = ?"),
            in: db)
        let history = PreparedStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO history (tenant, twin, incarnation, section, version, patch, inverse, changed_by, at)
                    VALUES (?, ?, ?, 'reported', ?, ?, ?, ?, ?)
                    """),
            in: db)
        var states: [ReportedStateCache.Key: ReportedStateCache.Entry] = [:]
        var order: [ReportedStateCache.Key] = []
        var outcomes: [Result<ReportedOutcome, TwinModelError>] = []
        outcomes.reserveCapacity(batch.count)
        var buffer: [UInt8] = []
        for item in batch {
            let key = ReportedStateCache.Key(tenant: item.tenant, twin: item.twin)
            var state: ReportedStateCache.Entry
            if let current = states[key] {
                state = current
            } else if let cached = cache.entry(for: key) {
                state = cached
                order.append(key)
            } else if let loaded = try load(key, with: select) {
                state = loaded
                order.append(key)
            } else {
                outcomes.append(.failure(.twinNotFound(item.twin)))
                continue
            }
            let change: SectionChange
            do {
                change = try state.section.apply(mergePatch: item.patch, kind: .reported, at: time, limits: limits)
            } catch let error as TwinModelError {
                outcomes.append(.failure(error))
                continue
            }
            state.twinVersion += 1
            states[key] = state
            history.bind(1, text: item.tenant)
            history.bind(2, text: item.twin)
            history.bind(3, state.pk)
            history.bind(4, change.version)
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(change.patch).write(to: &buffer)
            history.bind(5, text: buffer)
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(change.inverse).write(to: &buffer)
            history.bind(6, text: buffer)
            history.bind(7, text: item.changedBy)
            history.bind(8, time.milliseconds)
            defer { history.reset() }
            _ = try history.step()
            outcomes.append(.success(ReportedOutcome(reportedVersion: state.section.version, twinVersion: state.twinVersion)))
        }
        let vanished = try writeReported(states, in: order, at: time, db: db)
        if let vanished {
            // The row went away under a stale cache entry: refuse the batch rather than report success.
            cache.removeAll()
            throw TwinModelError.twinNotFound(vanished)
        }
        let committed = states
        db.afterNextTransaction { _ in cache.store(committed) }
        return outcomes
    }

    /// Writes each changed twin's reported section; returns a twin whose row was no longer there.
    private static func writeReported(
        _ states: [ReportedStateCache.Key: ReportedStateCache.Entry], in order: [ReportedStateCache.Key], at time: Timestamp, db: Database
    ) throws -> String? {
        let update = PreparedStatement(
            try db.cachedStatement(
                sql: "UPDATE twin SET reported = ?, reported_meta = ?, reported_version = ?, version = ?, updated_at = ? WHERE pk = ?"),
            in: db)
        var buffer: [UInt8] = []
        for key in order {
            guard let state = states[key] else { continue }
            buffer.removeAll(keepingCapacity: true)
            JSONValue.object(state.section.value).write(to: &buffer)
            update.bind(1, text: buffer)
            buffer.removeAll(keepingCapacity: true)
            state.section.metadata.writeStorageJSON(to: &buffer)
            update.bind(2, text: buffer)
            update.bind(3, state.section.version)
            update.bind(4, state.twinVersion)
            update.bind(5, time.milliseconds)
            update.bind(6, state.pk)
            defer { update.reset() }
            _ = try update.step()
            if db.changesCount != 1 { return key.twin }
        }
        return nil
    }

    /// Changes only when another connection, i.e. another process, commits to the file.
    private static func dataVersion(of db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
    }

    private static func load(_ key: ReportedStateCache.Key, with select: PreparedStatement) throws -> ReportedStateCache.Entry? {
        select.bind(1, text: key.tenant)
        select.bind(2, text: key.twin)
        defer { select.reset() }
        guard try select.step() else { return nil }
        let parser = JSONParser()
        guard case .object(let value) = try select.withText(1, { try parser.parse($0) }),
            let metadata = SectionMetadata(storageJSON: try select.withText(2, { try parser.parse($0) }))
        else {
            throw DatabaseError(message: "stored reported section of twin \(key.twin) is malformed")
        }
        return ReportedStateCache.Entry(
            pk: select.int64(0),
            section: TwinSection(value: value, version: select.int64(3), metadata: metadata),
            twinVersion: select.int64(4)
        )
    }
}
