import Foundation
import GRDB

/// A cloud-to-device message (IoT Hub's C2D): opaque bytes with application properties, queued for the
/// device until it takes them or their time to live passes.
public struct DeviceMessage: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Waiting for the device's subscription.
        case queued
        /// Handed to the device's MQTT session (QoS 1).
        case delivered
        /// Not delivered within its time to live.
        case expired
    }

    public var id: String
    public var twin: String
    public var body: [UInt8]
    public var contentType: String?
    /// Application properties, delivered in the topic's property bag.
    public var properties: [String: String]
    public var status: Status
    public var sentBy: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var deliveredAt: Timestamp?

    public init(
        id: String = UUID().uuidString.lowercased(), twin: String, body: [UInt8], contentType: String? = nil, properties: [String: String] = [:],
        sentBy: String, createdAt: Timestamp = .now, expiresAt: Timestamp
    ) {
        self.id = id
        self.twin = twin
        self.body = body
        self.contentType = contentType
        self.properties = properties
        status = .queued
        self.sentBy = sentBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension TwinStore {
    /// Undelivered messages one device may have waiting, as IoT Hub's per-device queue.
    public static let maximumQueuedDeviceMessages = 50

    private static let messageColumns = """
        m.id, t.id AS twin_id, m.body, m.content_type, m.properties, m.status, m.sent_by, m.created_at, m.expires_at, m.delivered_at
        """

    /// Queues a message for the device; refused past ``maximumQueuedDeviceMessages`` unexpired ones.
    public func queueDeviceMessage(_ message: DeviceMessage, in tenant: String) async throws {
        try await writer.write { db in
            guard let pk = try Self.twinKey(message.twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(message.twin) }
            let waiting = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM device_message WHERE twin = ? AND status = 'queued' AND expires_at > ?",
                arguments: [pk, message.createdAt.milliseconds]) ?? 0
            guard waiting < Self.maximumQueuedDeviceMessages else {
                throw TwinModelError.messageQueueFull(twin: message.twin, limit: Self.maximumQueuedDeviceMessages)
            }
            let properties = JSONValue.strings(message.properties)
            try db.execute(
                sql: """
                    INSERT INTO device_message (id, twin, body, content_type, properties, status, sent_by, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)
                    """,
                arguments: [
                    message.id, pk, Data(message.body), message.contentType, properties.encodedString(), message.sentBy,
                    message.createdAt.milliseconds, message.expiresAt.milliseconds,
                ])
        }
    }

    /// Takes the device's unexpired queued messages, oldest first, marking them delivered in the same
    /// transaction so each goes out once. ``returnDeviceMessages(_:)`` puts back those the device could not take.
    public func takeQueuedDeviceMessages(of twin: String, in tenant: String, at time: Timestamp = .now) async throws -> [DeviceMessage] {
        try await writer.write { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { return [] }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.messageColumns) FROM device_message m JOIN twin t ON t.pk = m.twin
                    WHERE m.twin = ? AND m.status = 'queued' AND m.expires_at > ? ORDER BY m.seq
                    """,
                arguments: [pk, time.milliseconds])
            var messages = try rows.map { try Self.deviceMessage($0, at: time) }
            for index in messages.indices {
                try db.execute(
                    sql: "UPDATE device_message SET status = 'delivered', delivered_at = ? WHERE id = ?",
                    arguments: [time.milliseconds, messages[index].id])
                messages[index].status = .delivered
                messages[index].deliveredAt = time
            }
            return messages
        }
    }

    /// Puts messages back in the queue: the device was gone before they reached its session.
    public func returnDeviceMessages(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE device_message SET status = 'queued', delivered_at = NULL WHERE id = ?", arguments: [id])
            }
        }
    }

    /// The device's messages, newest first; queued ones past their time to live read as `expired`.
    public func deviceMessages(of twin: String, in tenant: String, limit: Int = 100, at time: Timestamp = .now) async throws -> [DeviceMessage] {
        try await writer.read { db in
            guard let pk = try Self.twinKey(twin, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(twin) }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.messageColumns) FROM device_message m JOIN twin t ON t.pk = m.twin
                    WHERE m.twin = ? ORDER BY m.seq DESC LIMIT ?
                    """,
                arguments: [pk, limit])
            return try rows.map { try Self.deviceMessage($0, at: time) }
        }
    }

    private static func deviceMessage(_ row: Row, at time: Timestamp) throws -> DeviceMessage {
        guard let status = DeviceMessage.Status(rawValue: row["status"]) else {
            throw DatabaseError(message: "unknown message status \(String(describing: row["status"]))")
        }
        var properties: [String: String] = [:]
        for (key, value) in try TwinRow.object(row["properties"]) { properties[key] = value.stringValue }
        var message = DeviceMessage(
            id: row["id"], twin: row["twin_id"], body: [UInt8](row["body"] as Data), contentType: row["content_type"], properties: properties,
            sentBy: row["sent_by"], createdAt: Timestamp(milliseconds: row["created_at"]), expiresAt: Timestamp(milliseconds: row["expires_at"]))
        message.status = status == .queued && message.expiresAt <= time ? .expired : status
        message.deliveredAt = (row["delivered_at"] as Int64?).map(Timestamp.init(milliseconds:))
        return message
    }
}
