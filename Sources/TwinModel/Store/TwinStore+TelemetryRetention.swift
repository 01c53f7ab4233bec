import GRDB

/// A raw point on its way to the archive.
public struct ExpiringPoint: Sendable, Equatable {
    public var row: Int64
    public var twin: String
    public var metric: String
    public var at: Int64
    public var value: Double
}

extension TwinStore {
    public func telemetrySettings(of tenant: String) async throws -> TelemetrySettings {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT telemetry_raw_retention, telemetry_rollup_retention, telemetry_downsampling FROM tenant WHERE id = ?",
                    arguments: [tenant])
            else { throw TwinModelError.tenantNotFound(tenant) }
            let rules = (try JSONParser().parse(row["telemetry_downsampling"] as String)).arrayValue?.compactMap(DownsamplingRule.init(json:)) ?? []
            return TelemetrySettings(rawRetention: row["telemetry_raw_retention"], rollupRetention: row["telemetry_rollup_retention"], downsampling: rules)
        }
    }

    public func setTelemetrySettings(_ settings: TelemetrySettings, of tenant: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE tenant SET telemetry_raw_retention = ?, telemetry_rollup_retention = ?, telemetry_downsampling = ? WHERE id = ?",
                arguments: [
                    settings.rawRetention, settings.rollupRetention, JSONValue.array(settings.downsampling.map(\.json)).encodedString(), tenant,
                ])
            guard db.changesCount > 0 else { throw TwinModelError.tenantNotFound(tenant) }
        }
    }

    /// Every tenant (a short table: the log itself is too long to scan for its tenants).
    public func tenantsWithTelemetry() async throws -> [String] {
        try await writer.read { db in try String.fetchAll(db, sql: "SELECT id FROM tenant ORDER BY id") }
    }

    /// The tenant's oldest raw points received before `cutoff`, at most `limit`, ordered by twin, metric and
    /// time (the order downsampling and the archive read them).
    public func expiringTelemetryPoints(in tenant: String, before cutoff: Timestamp, limit: Int) async throws -> [ExpiringPoint] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.rowid AS row, t.id AS twin, p.metric, p.at, p.value FROM telemetry_point p JOIN twin t ON t.pk = p.twin
                    WHERE t.tenant = ? AND p.at < ? ORDER BY p.at LIMIT ?
                    """,
                arguments: [tenant, cutoff.milliseconds, limit])
            return rows.map { ExpiringPoint(row: $0["row"], twin: $0["twin"], metric: $0["metric"], at: $0["at"], value: $0["value"]) }
                .sorted { ($0.twin, $0.metric, $0.at) < ($1.twin, $1.metric, $1.at) }
        }
    }

    /// Deletes archived raw points, and the tenant's log entries and (when `rollupsBefore` is given) rollups
    /// past their retention, in one transaction. Rollups have no time index, so their sweep reads the
    /// tenant's rollups: callers do it rarely.
    public func deleteExpiredTelemetry(points: [Int64], in tenant: String, logBefore: Timestamp, rollupsBefore: Timestamp?) async throws {
        try await writer.write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM telemetry_point WHERE rowid = ?")
            for row in points { try delete.execute(arguments: [row]) }
            try db.execute(sql: "DELETE FROM telemetry_log WHERE tenant = ? AND received_at < ?", arguments: [tenant, logBefore.milliseconds])
            if let rollupsBefore {
                try db.execute(
                    sql: "DELETE FROM telemetry_rollup WHERE bucket < ? AND twin IN (SELECT pk FROM twin WHERE tenant = ?)",
                    arguments: [rollupsBefore.milliseconds, tenant])
            }
        }
    }
}
