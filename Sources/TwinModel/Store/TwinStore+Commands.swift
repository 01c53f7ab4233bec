import Foundation
import GRDB

/// A command sent (or to be sent) to a device, as the twin's command history keeps it.
public struct CommandRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Waiting for the device's command subscription (until `expiresAt`).
        case queued
        /// Delivered; the device's reply is awaited.
        case sent
        /// The device replied (`replyStatus`, `reply`).
        case completed
        /// Delivered, but no reply came within the command's timeout.
        case timedOut
        /// Not queued, and the device was not listening for commands when it was sent.
        case offline
        /// Still queued when its time to live ran out; never delivered.
        case expired
    }

    public var id: String
    public var twin: String
    public var name: String
    public var payload: JSONValue
    public var status: Status
    public var requestedBy: String
    public var createdAt: Timestamp
    /// Queued commands only: when an undelivered command expires.
    public var expiresAt: Timestamp?
    /// How long the device has to reply once the command is delivered.
    public var timeout: Duration
    public var deliveredAt: Timestamp?
    public var completedAt: Timestamp?
    public var replyStatus: Int?
    public var reply: JSONValue?

    public init(
        id: String = UUID().uuidString.lowercased(), twin: String, name: String, payload: JSONValue, status: Status, requestedBy: String,
        createdAt: Timestamp = .now, expiresAt: Timestamp? = nil, timeout: Duration
    ) {
        self.id = id
        self.twin = twin
        self.name = name
        self.payload = payload
        self.status = status
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.timeout = timeout
    }
}

extension TwinStore {
    /// Queued commands one device may have waiting; more are refused until it takes some.
    public static let maximumQueuedCommands = 100

    private static let commandColumns = """
        c.id, t.id AS twin_id, c.name, c.payload, c.status, c.requested_by, c.created_at, c.expires_at, c.timeout_ms, c.delivered_at,
        c.completed_at, c.reply_status, c.reply
        """

    /// Adds a command to the twin's history. A queued one counts against ``maximumQueuedCommands``.
    public func recordCommand(_ command: CommandRecord, in tenant: String) async throws {
        try await writer.write { db in
            guard let pk = try Self.twinKey(command.twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(command.twin) }
            if command.status == .queued {
                let waiting = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM command WHERE twin = ? AND status = 'queued' AND expires_at > ?",
                    arguments: [pk, command.createdAt.milliseconds]) ?? 0
                guard waiting < Self.maximumQueuedCommands else {
                    throw TwinModelError.commandQueueFull(twin: command.twin, limit: Self.maximumQueuedCommands)
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO command (id, twin, name, payload, status, requested_by, created_at, expires_at, timeout_ms, delivered_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    command.id, pk, command.name, command.payload.encodedString(), command.status.rawValue, command.requestedBy,
                    command.createdAt.milliseconds, command.expiresAt?.milliseconds, Self.milliseconds(command.timeout),
                    command.deliveredAt?.milliseconds,
                ])
        }
    }

    /// Takes the device's oldest queued, unexpired command for delivery: it becomes `sent` in the same
    /// transaction, so two deliveries racing never send one command twice. `nil` when none waits.
    public func takeQueuedCommand(of twin: String, in tenant: String, at time: Timestamp = .now) async throws -> CommandRecord? {
        try await writer.write { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { return nil }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.commandColumns) FROM command c JOIN twin t ON t.pk = c.twin
                    WHERE c.twin = ? AND c.status = 'queued' AND c.expires_at > ? ORDER BY c.seq LIMIT 1
                    """,
                arguments: [pk, time.milliseconds])
            guard let row else { return nil }
            var command = try Self.command(row)
            try db.execute(
                sql: "UPDATE command SET status = 'sent', delivered_at = ? WHERE id = ?", arguments: [time.milliseconds, command.id])
            command.status = .sent
            command.deliveredAt = time
            return command
        }
    }

    /// Records what became of a command: its reply, its timeout, or (for one the device missed) back to
    /// `queued` for its next subscription.
    public func finishCommand(
        _ id: String, status: CommandRecord.Status, replyStatus: Int? = nil, reply: JSONValue? = nil, at time: Timestamp = .now
    ) async throws {
        try await writer.write { db in
            let finished = status != .queued && status != .sent
            try db.execute(
                sql: """
                    UPDATE command SET status = ?, completed_at = ?, reply_status = ?, reply = ?,
                        delivered_at = CASE WHEN ? = 'queued' THEN NULL ELSE delivered_at END
                    WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, finished ? time.milliseconds : nil, replyStatus, reply?.encodedString(), status.rawValue, id,
                ])
        }
    }

    /// The twin's commands, newest first; queued ones past their time to live read as `expired`.
    public func commands(of twin: String, in tenant: String, limit: Int = 100, at time: Timestamp = .now) async throws -> [CommandRecord] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.commandColumns) FROM command c JOIN twin t ON t.pk = c.twin WHERE c.twin = ? ORDER BY c.seq DESC LIMIT ?",
                arguments: [pk, limit])
            return try rows.map { try Self.command($0, at: time) }
        }
    }

    /// One command of the twin.
    public func command(_ id: String, of twin: String, in tenant: String, at time: Timestamp = .now) async throws -> CommandRecord {
        try await writer.read { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            let row = try Row.fetchOne(
                db, sql: "SELECT \(Self.commandColumns) FROM command c JOIN twin t ON t.pk = c.twin WHERE c.twin = ? AND c.id = ?",
                arguments: [pk, id])
            guard let row else { throw TwinModelError.commandNotFound(twin: twin, id: id) }
            return try Self.command(row, at: time)
        }
    }

    private static func command(_ row: Row, at time: Timestamp = .now) throws -> CommandRecord {
        guard let status = CommandRecord.Status(rawValue: row["status"]) else {
            throw DatabaseError(message: "unknown command status \(String(describing: row["status"]))")
        }
        var command = CommandRecord(
            id: row["id"], twin: row["twin_id"], name: row["name"], payload: try JSONParser().parse(row["payload"] as String),
            status: status, requestedBy: row["requested_by"], createdAt: Timestamp(milliseconds: row["created_at"]),
            expiresAt: (row["expires_at"] as Int64?).map(Timestamp.init(milliseconds:)), timeout: .milliseconds(row["timeout_ms"] as Int64))
        if status == .queued, let expiry = command.expiresAt, expiry <= time { command.status = .expired }
        command.deliveredAt = (row["delivered_at"] as Int64?).map(Timestamp.init(milliseconds:))
        command.completedAt = (row["completed_at"] as Int64?).map(Timestamp.init(milliseconds:))
        command.replyStatus = row["reply_status"]
        if let reply = row["reply"] as String? { command.reply = try JSONParser().parse(reply) }
        return command
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
