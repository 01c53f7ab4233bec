import Foundation
import GRDB

/// An alert a rule raised for a twin: open (`active`, then perhaps `acknowledged`) until it is `cleared`.
/// At most one alert per rule and twin is open.
public struct AlertRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case active, acknowledged, cleared
    }

    public var id: String
    public var rule: String
    public var twin: String
    public var severity: String
    public var state: State
    public var raisedAt: Timestamp
    public var updatedAt: Timestamp
    public var acknowledgedAt: Timestamp?
    public var acknowledgedBy: String?
    public var clearedAt: Timestamp?
    /// What the rule saw: the values of the metrics and windows its conditions read.
    public var details: JSONObject
}

/// One change of an alert, in the order they happened.
public struct AlertEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case raised, escalated, deescalated, acknowledged, cleared
    }

    public var sequence: Int64
    public var alert: String
    public var at: Timestamp
    public var kind: Kind
    public var severity: String
    public var details: JSONObject
}

/// What the rules engine decided about one rule and twin.
public struct AlertTransition: Sendable {
    public enum Change: Sendable, Equatable {
        /// Raise at this severity, or change the open alert's severity to it.
        case raise(severity: String)
        case clear
    }

    public var tenant: String
    public var rule: String
    public var twin: String
    public var change: Change
    public var at: Timestamp
    public var details: JSONObject

    public init(tenant: String, rule: String, twin: String, change: Change, at: Timestamp, details: JSONObject) {
        self.tenant = tenant
        self.rule = rule
        self.twin = twin
        self.change = change
        self.at = at
        self.details = details
    }
}

extension TwinStore {
    static let alertColumns = "id, rule, twin, severity, state, raised_at, updated_at, acknowledged_at, acknowledged_by, cleared_at, details"

    /// Applies the engine's decisions in one transaction: a raise opens an alert, or changes the open one's
    /// severity (escalated / deescalated; the same severity changes nothing); a clear closes the open one.
    /// Returns each alert that changed, with the event that changed it and its tenant.
    public func applyAlertTransitions(_ transitions: [AlertTransition], severityOrder: [String]) async throws -> [(AlertRecord, AlertEvent, String)] {
        guard !transitions.isEmpty else { return [] }
        return try await writer.write { db in
            var changed: [(AlertRecord, AlertEvent, String)] = []
            for transition in transitions {
                let open = try Row.fetchOne(
                    db, sql: "SELECT \(Self.alertColumns) FROM alert WHERE tenant = ? AND rule = ? AND twin = ? AND state != 'cleared'",
                    arguments: [transition.tenant, transition.rule, transition.twin]
                ).map(Self.alert)
                let at = transition.at.milliseconds
                var record: AlertRecord
                let kind: AlertEvent.Kind
                let severity: String
                switch (transition.change, open) {
                case (.raise(let level), nil):
                    record = AlertRecord(
                        id: UUID().uuidString.lowercased(), rule: transition.rule, twin: transition.twin, severity: level, state: .active,
                        raisedAt: transition.at, updatedAt: transition.at, details: transition.details)
                    try db.execute(
                        sql: """
                            INSERT INTO alert (id, tenant, rule, twin, severity, state, raised_at, updated_at, details)
                            VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)
                            """,
                        arguments: [
                            record.id, transition.tenant, transition.rule, transition.twin, level, at, at,
                            JSONValue.object(transition.details).encodedString(),
                        ])
                    (kind, severity) = (.raised, level)
                case (.raise(let level), let existing?):
                    guard level != existing.severity else { continue }
                    let rank = { (name: String) in severityOrder.firstIndex(of: name) ?? 0 }
                    kind = rank(level) > rank(existing.severity) ? .escalated : .deescalated
                    severity = level
                    record = existing
                    record.severity = level
                    record.updatedAt = transition.at
                    record.details = transition.details
                    try db.execute(
                        sql: "UPDATE alert SET severity = ?, updated_at = ?, details = ? WHERE id = ?",
                        arguments: [level, at, JSONValue.object(transition.details).encodedString(), existing.id])
                case (.clear, let existing?):
                    record = existing
                    record.state = .cleared
                    record.clearedAt = transition.at
                    record.updatedAt = transition.at
                    try db.execute(
                        sql: "UPDATE alert SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ?", arguments: [at, at, existing.id])
                    (kind, severity) = (.cleared, existing.severity)
                case (.clear, nil):
                    continue
                }
                let event = try Self.recordAlertEvent(record.id, tenant: transition.tenant, kind: kind, severity: severity, details: transition.details, at: at, in: db)
                changed.append((record, event, transition.tenant))
            }
            return changed
        }
    }

    /// Marks an open alert acknowledged (again: no change); 409 for a cleared one.
    public func acknowledgeAlert(_ id: String, in tenant: String, by who: String, at time: Timestamp = .now) async throws -> AlertRecord {
        try await writer.write { db in
            guard var record = try Self.alert(id, tenant: tenant, in: db) else { throw TwinModelError.alertNotFound(id) }
            switch record.state {
            case .cleared: throw TwinModelError.alertNotOpen(id)
            case .acknowledged: return record
            case .active:
                try db.execute(
                    sql: "UPDATE alert SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?",
                    arguments: [time.milliseconds, who, time.milliseconds, id])
                record.state = .acknowledged
                record.acknowledgedAt = time
                record.acknowledgedBy = who
                record.updatedAt = time
                _ = try Self.recordAlertEvent(id, tenant: tenant, kind: .acknowledged, severity: record.severity, details: ["by": .string(who)], at: time.milliseconds, in: db)
                return record
            }
        }
    }

    /// The tenant's alerts, newest first; `states` narrows them (in SQL: the index is by tenant, state and order).
    public func alerts(in tenant: String, states: Set<AlertRecord.State>? = nil, limit: Int = 100) async throws -> [AlertRecord] {
        let names = (states ?? Set(AlertRecord.State.allCases)).map(\.rawValue).sorted()
        return try await writer.read { db in
            let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.alertColumns) FROM alert WHERE tenant = ? AND state IN (\(marks)) ORDER BY seq DESC LIMIT ?",
                arguments: StatementArguments([tenant] + names) + [Int64(clamping: limit)]
            ).map(Self.alert)
        }
    }

    /// One alert and its events, oldest first.
    public func alert(_ id: String, in tenant: String) async throws -> (AlertRecord, [AlertEvent]) {
        try await writer.read { db in
            guard let record = try Self.alert(id, tenant: tenant, in: db) else { throw TwinModelError.alertNotFound(id) }
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM alert_event WHERE alert = ? ORDER BY seq", arguments: [id]
            ).map(Self.alertEvent)
            return (record, events)
        }
    }

    /// The tenant's alert events after `sequence`, oldest first: what a live stream sends.
    public func alertEvents(in tenant: String, after sequence: Int64, limit: Int) async throws -> [(AlertRecord, AlertEvent)] {
        try await writer.read { db in
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM alert_event WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?", arguments: [tenant, sequence, limit]
            ).map(Self.alertEvent)
            return try events.compactMap { event in
                try Self.alert(event.alert, tenant: tenant, in: db).map { ($0, event) }
            }
        }
    }

    /// The newest alert event's sequence number (0 when there is none).
    public func lastAlertEvent() async throws -> Int64 {
        try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM alert_event") ?? 0 }
    }

    private static func recordAlertEvent(
        _ alert: String, tenant: String, kind: AlertEvent.Kind, severity: String, details: JSONObject, at: Int64, in db: Database
    ) throws -> AlertEvent {
        try db.execute(
            sql: "INSERT INTO alert_event (alert, tenant, at, kind, severity, details) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [alert, tenant, at, kind.rawValue, severity, JSONValue.object(details).encodedString()])
        return AlertEvent(sequence: db.lastInsertedRowID, alert: alert, at: Timestamp(milliseconds: at), kind: kind, severity: severity, details: details)
    }

    private static func alert(_ id: String, tenant: String, in db: Database) throws -> AlertRecord? {
        try Row.fetchOne(db, sql: "SELECT \(alertColumns) FROM alert WHERE id = ? AND tenant = ?", arguments: [id, tenant]).map(alert)
    }

    private static func alert(_ row: Row) throws -> AlertRecord {
        guard let state = AlertRecord.State(rawValue: row["state"]) else {
            throw DatabaseError(message: "unknown alert state \(String(describing: row["state"]))")
        }
        return AlertRecord(
            id: row["id"], rule: row["rule"], twin: row["twin"], severity: row["severity"], state: state,
            raisedAt: Timestamp(milliseconds: row["raised_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]),
            acknowledgedAt: (row["acknowledged_at"] as Int64?).map(Timestamp.init(milliseconds:)), acknowledgedBy: row["acknowledged_by"],
            clearedAt: (row["cleared_at"] as Int64?).map(Timestamp.init(milliseconds:)), details: try TwinRow.object(row["details"]))
    }

    private static func alertEvent(_ row: Row) throws -> AlertEvent {
        guard let kind = AlertEvent.Kind(rawValue: row["kind"]) else {
            throw DatabaseError(message: "unknown alert event \(String(describing: row["kind"]))")
        }
        return AlertEvent(
            sequence: row["seq"], alert: row["alert"], at: Timestamp(milliseconds: row["at"]), kind: kind, severity: row["severity"],
            details: try TwinRow.object(row["details"]))
    }
}
