import GRDB

extension TwinStore {
    /// Most twins one fleet-wide desired change may touch: all in one transaction.
    public static let maximumFleetChange = 100_000

    /// Applies one merge patch to the desired section of every twin in `ids`, in one transaction: all or
    /// nothing, each change in history, and one desired-change notification per twin after the commit (so
    /// device sync pushes each its delta). Ids that name no twin are skipped and returned.
    @discardableResult
    public func patchDesired(
        ofTwins ids: [String], with patch: JSONObject, in tenant: String, changedBy: String, at time: Timestamp = .now
    ) async throws -> (changed: [String], missing: [String]) {
        let limits = configuration.documentLimits
        let cache = reportedCache
        let outcome = try await writer.write { db in
            var changed: [Twin] = []
            var missing: [String] = []
            changed.reserveCapacity(ids.count)
            for id in ids {
                cache.invalidate(tenant: tenant, twin: id)
                guard var (pk, twin) = try Self.loadTwin(id, tenant: tenant, in: db) else {
                    missing.append(id)
                    continue
                }
                let change = try twin.apply(mergePatch: patch, to: .desired, at: time, limits: limits)
                try TwinRow.update(.desired, of: twin, pk: pk, in: db)
                try Self.record(change, of: twin, tenant: tenant, changedBy: changedBy, in: db)
                changed.append(twin)
            }
            return (changed: changed, missing: missing)
        }
        for twin in outcome.changed { observers.desiredChanged(tenant: tenant, twin: twin) }
        return (outcome.changed.map(\.id), outcome.missing)
    }

    /// The current version of each of these twins, in one read; ids that name no twin are left out.
    public func twinVersions(_ ids: [String], in tenant: String) async throws -> [String: Int64] {
        try await writer.read { db in
            let statement = try db.cachedStatement(sql: "SELECT version FROM twin WHERE tenant = ? AND id = ?")
            var versions: [String: Int64] = [:]
            versions.reserveCapacity(ids.count)
            for id in ids {
                if let version = try Int64.fetchOne(statement, arguments: [tenant, id]) { versions[id] = version }
            }
            return versions
        }
    }

    /// Twins by id, in one read; ids that name no twin are left out.
    public func twins(_ ids: [String], in tenant: String) async throws -> [Twin] {
        try await writer.read { db in
            var twins: [Twin] = []
            twins.reserveCapacity(ids.count)
            for id in ids {
                if let (_, twin) = try Self.loadTwin(id, tenant: tenant, in: db) { twins.append(twin) }
            }
            return twins
        }
    }
}
