import GRDB
import OrderedCollections

/// One accepted change to a twin section: what it became, what it was, who changed it and when.
public struct HistoryEvent: Sendable, Hashable {
    /// Grows with every event in the store; orders events.
    public var sequence: Int64
    public var twin: String
    public var section: TwinSection.Kind
    /// The section version after the change.
    public var version: Int64
    /// The merge patch applied: the new values of the touched members.
    public var after: JSONObject
    /// The merge patch that undoes it: the previous values of the touched members.
    public var before: JSONObject
    public var changedBy: String
    public var time: Timestamp
}

extension TwinStore {
    static func record(_ change: SectionChange, of twin: Twin, tenant: String, changedBy: String, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO history (tenant, twin, incarnation, section, version, patch, inverse, changed_by, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        try statement.execute(arguments: [
            tenant, twin.id, twin.incarnation, change.kind.rawValue, change.version, TwinRow.text(change.patch), TwinRow.text(change.inverse),
            changedBy, change.time.milliseconds,
        ])
    }

    /// A twin's history, oldest first, after sequence number `after`.
    ///
    /// Only this twin's own events: those of an earlier, deleted twin with the same id stay in the store
    /// for audit but are not part of this twin's history.
    public func history(of twin: String, in tenant: String, after: Int64 = 0, limit: Int = 100) async throws -> [HistoryEvent] {
        try await writer.read { db in
            guard let incarnation = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, twin, section, version, patch, inverse, changed_by, at FROM history
                    WHERE incarnation = ? AND seq > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [incarnation, after, limit]
            )
            return try rows.map { row in
                guard let section = TwinSection.Kind(rawValue: row["section"]) else {
                    throw DatabaseError(message: "unknown history section \(String(describing: row["section"]))")
                }
                return HistoryEvent(
                    sequence: row["seq"], twin: row["twin"], section: section, version: row["version"],
                    after: try TwinRow.object(row["patch"]), before: try TwinRow.object(row["inverse"]),
                    changedBy: row["changed_by"], time: Timestamp(milliseconds: row["at"])
                )
            }
        }
    }

    /// A section as it was at `time`: the current value with every later change undone, newest first.
    public func section(_ kind: TwinSection.Kind, of id: String, in tenant: String, at time: Timestamp) async throws -> JSONObject {
        try await writer.read { db in
            guard let (_, twin) = try Self.loadTwin(id, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(id) }
            let inverses = try String.fetchAll(
                db,
                sql: "SELECT inverse FROM history WHERE incarnation = ? AND section = ? AND at > ? ORDER BY seq DESC",
                arguments: [twin.incarnation, kind.rawValue, time.milliseconds]
            )
            var value = JSONValue.object(twin[section: kind].value)
            for inverse in inverses { value.mergePatch(.object(try TwinRow.object(inverse))) }
            return value.objectValue ?? [:]
        }
    }
}
