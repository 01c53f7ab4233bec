import GRDB

/// One entry of the telemetry log, as replay reads it.
public struct TelemetryRecord: Sendable, Equatable {
    public var offset: Int64
    public var twin: String
    public var receivedAt: Timestamp
    public var deviceTime: Timestamp?
    public var values: JSONObject
}

/// A twin's last-known telemetry: the latest value of each metric it has sent.
public struct LastTelemetry: Sendable, Equatable {
    public var values: JSONObject
    public var receivedAt: Timestamp?
    public var deviceTime: Timestamp?

    /// The server's time minus the device's in the latest message that carried one.
    public var skewMilliseconds: Int64? {
        guard let receivedAt, let deviceTime else { return nil }
        return receivedAt.milliseconds - deviceTime.milliseconds
    }
}

/// One point of a series: a raw value, or an interval's aggregate at the interval's start.
public struct TelemetryPoint: Sendable, Equatable {
    public var at: Timestamp
    public var value: Double
}

extension TwinStore {
    /// Stores a batch of telemetry in one transaction: each message goes into the log (its offset is
    /// returned), its numeric metrics into the raw series and the minute and hour rollups, and its values
    /// into the twin's last-known telemetry. A message for a twin that does not exist is not stored (`nil`).
    public func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64?] {
        try await writer.write { db in
            let lookup = try db.cachedStatement(sql: "SELECT pk FROM twin WHERE tenant = ? AND id = ?")
            let log = try db.cachedStatement(
                sql: "INSERT INTO telemetry_log (tenant, twin, received_at, device_time, payload) VALUES (?, ?, ?, ?, ?)")
            let point = try db.cachedStatement(sql: "INSERT INTO telemetry_point (twin, metric, at, value) VALUES (?, ?, ?, ?)")
            var twins: [String: Int64?] = [:]
            var rollups: [TelemetryRollup.Key: TelemetryRollup] = [:]
            var latest: [Int64: (values: JSONObject, at: Int64, deviceTime: Int64?)] = [:]
            var offsets: [Int64?] = []
            offsets.reserveCapacity(messages.count)
            for message in messages {
                let twinKey = message.tenant + "\u{0}" + message.twin
                let pk: Int64?
                if let known = twins[twinKey] {
                    pk = known
                } else {
                    pk = try Int64.fetchOne(lookup, arguments: [message.tenant, message.twin])
                    twins[twinKey] = pk
                }
                guard let pk else {
                    offsets.append(nil)
                    continue
                }
                let at = message.receivedAt.milliseconds
                try log.execute(arguments: [
                    message.tenant, message.twin, at, message.deviceTime?.milliseconds, JSONValue.object(message.values).encodedString(),
                ])
                offsets.append(db.lastInsertedRowID)
                for (metric, value) in message.numericMetrics {
                    try point.execute(arguments: [pk, metric, at, value])
                    for width in TelemetryRollup.widths {
                        let key = TelemetryRollup.Key(twin: pk, metric: metric, width: width, bucket: TelemetryRollup.bucket(of: at, width: width))
                        if rollups[key] == nil {
                            rollups[key] = TelemetryRollup(value: value, at: at)
                        } else {
                            rollups[key]!.add(value, at: at)
                        }
                    }
                }
                var current = latest[pk] ?? ([:], at, nil)
                for (key, value) in message.values { current.values[key] = value }
                current.at = max(current.at, at)
                if let deviceTime = message.deviceTime { current.deviceTime = deviceTime.milliseconds }
                latest[pk] = current
            }
            try Self.mergeRollups(rollups, in: db)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE twin SET telemetry = json_patch(telemetry, ?), telemetry_at = ?,
                        telemetry_device_time = coalesce(?, telemetry_device_time) WHERE pk = ?
                    """)
            for (pk, state) in latest {
                try update.execute(arguments: [JSONValue.object(state.values).encodedString(), state.at, state.deviceTime, pk])
            }
            return offsets
        }
    }

    private static func mergeRollups(_ rollups: [TelemetryRollup.Key: TelemetryRollup], in db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO telemetry_rollup (twin, metric, width, bucket, count, sum, min, max, last, last_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (twin, metric, width, bucket) DO UPDATE SET
                    count = count + excluded.count, sum = sum + excluded.sum,
                    min = min(min, excluded.min), max = max(max, excluded.max),
                    last = CASE WHEN excluded.last_at >= last_at THEN excluded.last ELSE last END,
                    last_at = max(last_at, excluded.last_at)
                """)
        for (key, rollup) in rollups {
            try upsert.execute(arguments: [
                key.twin, key.metric, key.width, key.bucket, rollup.count, rollup.sum, rollup.minimum, rollup.maximum, rollup.last, rollup.lastAt,
            ])
        }
    }

    /// The twin's last-known telemetry.
    public func lastTelemetry(of twin: String, in tenant: String) async throws -> LastTelemetry {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT telemetry, telemetry_at, telemetry_device_time FROM twin WHERE tenant = ? AND id = ?",
                    arguments: [tenant, twin])
            else { throw TwinModelError.twinNotFound(twin) }
            return LastTelemetry(
                values: try TwinRow.object(row["telemetry"]), receivedAt: (row["telemetry_at"] as Int64?).map(Timestamp.init(milliseconds:)),
                deviceTime: (row["telemetry_device_time"] as Int64?).map(Timestamp.init(milliseconds:)))
        }
    }

    /// Log entries of the tenant from `offset` on, oldest first.
    public func telemetryLog(in tenant: String, fromOffset offset: Int64, limit: Int) async throws -> [TelemetryRecord] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT offset, twin, received_at, device_time, payload FROM telemetry_log
                    WHERE offset >= ? AND tenant = ? ORDER BY offset LIMIT ?
                    """,
                arguments: [offset, tenant, limit])
            return try rows.map { row in
                TelemetryRecord(
                    offset: row["offset"], twin: row["twin"], receivedAt: Timestamp(milliseconds: row["received_at"]),
                    deviceTime: (row["device_time"] as Int64?).map(Timestamp.init(milliseconds:)), values: try TwinRow.object(row["payload"]))
            }
        }
    }

    /// The first offset received at or after `time` (the next offset to come when there is none yet).
    public func telemetryOffset(at time: Timestamp) async throws -> Int64 {
        try await writer.read { db in
            if let offset = try Int64.fetchOne(
                db, sql: "SELECT min(offset) FROM telemetry_log WHERE received_at >= ?", arguments: [time.milliseconds])
            {
                return offset
            }
            return (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'telemetry_log'") ?? 0) + 1
        }
    }

    /// Raw points of one metric in `[from, to)`, oldest first; at most `limit`.
    public func telemetryPoints(
        of twin: String, metric: String, in tenant: String, from: Timestamp, to: Timestamp, limit: Int
    ) async throws -> [TelemetryPoint] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            return try Row.fetchAll(
                db, sql: "SELECT at, value FROM telemetry_point WHERE twin = ? AND metric = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?",
                arguments: [pk, metric, from.milliseconds, to.milliseconds, limit]
            ).map { TelemetryPoint(at: Timestamp(milliseconds: $0["at"]), value: $0["value"]) }
        }
    }

    /// One metric summarised per `interval` (milliseconds) in `[from, to)`: from the hour rollups when the
    /// interval is whole hours, the minute rollups when it is whole minutes, the raw points otherwise.
    /// Intervals without data are left out.
    public func telemetryAggregates(
        of twin: String, metric: String, in tenant: String, from: Timestamp, to: Timestamp, interval: Int64, aggregate: TelemetryAggregate
    ) async throws -> [TelemetryPoint] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            let width = TelemetryRollup.widths.reversed().first { interval % $0 == 0 }
            let sql: String
            if let width {
                let value =
                    switch aggregate {
                    case .avg: "sum(sum) / sum(count)"
                    case .min: "min(min)"
                    case .max: "max(max)"
                    case .sum: "sum(sum)"
                    case .count: "sum(count)"
                    case .last: "(SELECT r2.last FROM telemetry_rollup r2 WHERE r2.twin = r.twin AND r2.metric = r.metric AND r2.width = r.width AND r2.bucket - (r2.bucket % ?5) = r.bucket - (r.bucket % ?5) AND r2.bucket >= ?3 AND r2.bucket < ?4 ORDER BY r2.last_at DESC LIMIT 1)"
                    }
                sql = """
                    SELECT bucket - (bucket % ?5) AS start, \(value) AS value FROM telemetry_rollup r
                    WHERE twin = ?1 AND metric = ?2 AND width = \(width) AND bucket >= ?3 AND bucket < ?4
                    GROUP BY start ORDER BY start
                    """
            } else {
                let value =
                    switch aggregate {
                    case .avg: "avg(value)"
                    case .min: "min(value)"
                    case .max: "max(value)"
                    case .sum: "sum(value)"
                    case .count: "count(*)"
                    case .last: "(SELECT p2.value FROM telemetry_point p2 WHERE p2.twin = p.twin AND p2.metric = p.metric AND p2.at - (p2.at % ?5) = p.at - (p.at % ?5) AND p2.at >= ?3 AND p2.at < ?4 ORDER BY p2.at DESC LIMIT 1)"
                    }
                sql = """
                    SELECT at - (at % ?5) AS start, \(value) AS value FROM telemetry_point p
                    WHERE twin = ?1 AND metric = ?2 AND at >= ?3 AND at < ?4
                    GROUP BY start ORDER BY start
                    """
            }
            return try Row.fetchAll(db, sql: sql, arguments: [pk, metric, from.milliseconds, to.milliseconds, interval])
                .map { TelemetryPoint(at: Timestamp(milliseconds: $0["start"]), value: $0["value"]) }
        }
    }
}
