import Foundation
import GRDB
import NIOCore

/// The broker's persistent state in its own SQLite file: sessions that outlive their connections (their
/// subscriptions and the QoS 1 and 2 messages owed to them) and retained messages.
///
/// Messages are stored as MQTT 5.0 PUBLISH packets, so the codec is the only serialisation there is.
final class BrokerStore: Sendable {
    private let database: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-broker") { db in
            try db.execute(
                sql: """
                    CREATE TABLE session (
                        client_id TEXT PRIMARY KEY NOT NULL,
                        expiry_interval INTEGER NOT NULL,
                        disconnected_at INTEGER NOT NULL,
                        next_packet_id INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE subscription (
                        client_id TEXT NOT NULL,
                        filter TEXT NOT NULL,
                        qos INTEGER NOT NULL,
                        no_local INTEGER NOT NULL,
                        retain_as_published INTEGER NOT NULL,
                        retain_handling INTEGER NOT NULL,
                        identifier INTEGER,
                        PRIMARY KEY (client_id, filter)
                    ) WITHOUT ROWID;
                    CREATE TABLE owed (
                        client_id TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        packet_id INTEGER,
                        released INTEGER NOT NULL,
                        message BLOB,
                        message_qos INTEGER,
                        qos INTEGER,
                        retain INTEGER,
                        expires_at INTEGER,
                        subscription_ids TEXT,
                        PRIMARY KEY (client_id, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE retained (
                        topic TEXT PRIMARY KEY NOT NULL,
                        message BLOB NOT NULL,
                        qos INTEGER NOT NULL,
                        expires_at INTEGER
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-session-owner") { db in
            try db.execute(sql: "ALTER TABLE session ADD COLUMN owner TEXT")
        }
        return migrator
    }

    /// Writes a batch in one transaction.
    func write(_ batch: PersistenceBatch, clock: WallClock) throws {
        try database.write { db in
            for clientID in batch.deletedSessions + batch.sessions.map(\.clientID) {
                for table in ["session", "subscription", "owed"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE client_id = ?", arguments: [clientID])
                }
            }
            for session in batch.sessions {
                try Self.insert(session, clock: clock, in: db)
            }
            for topic in batch.deletedRetained {
                try db.execute(sql: "DELETE FROM retained WHERE topic = ?", arguments: [topic])
            }
            for message in batch.retained {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO retained (topic, message, qos, expires_at) VALUES (?, ?, ?, ?)",
                    arguments: [message.topic, Self.encode(message), Int(message.qos.rawValue), message.expiresAt.map(clock.wall)])
            }
        }
    }

    private static func insert(_ session: PersistedSession, clock: WallClock, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO session (client_id, expiry_interval, disconnected_at, next_packet_id, owner) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                session.clientID, Int64(session.expiryInterval), session.disconnectedAt, Int(session.snapshot.nextPacketIdentifier),
                session.owner,
            ])
        for subscription in session.subscriptions {
            try db.execute(
                sql: """
                    INSERT INTO subscription (client_id, filter, qos, no_local, retain_as_published, retain_handling, identifier)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.clientID, subscription.filter, Int(subscription.options.qos.rawValue), subscription.options.noLocal,
                    subscription.options.retainAsPublished, Int(subscription.options.retainHandling.rawValue), subscription.identifier,
                ])
        }
        var seq = 0
        func owe(_ identifier: UInt16?, _ delivery: MQTTDelivery?) throws {
            seq += 1
            try db.execute(
                sql: """
                    INSERT INTO owed (client_id, seq, packet_id, released, message, message_qos, qos, retain, expires_at, subscription_ids)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.clientID, seq, identifier.map { Int($0) }, delivery == nil, delivery.map { encode($0.message) },
                    delivery.map { Int($0.message.qos.rawValue) }, delivery.map { Int($0.qos.rawValue) }, delivery?.retain,
                    delivery?.message.expiresAt.map(clock.wall),
                    delivery.map { $0.subscriptionIdentifiers.map(String.init).joined(separator: ",") },
                ])
        }
        for (identifier, delivery) in session.snapshot.inflight { try owe(identifier, delivery) }
        for delivery in session.snapshot.pending { try owe(nil, delivery) }
    }

    /// Reads everything back.
    func load(clock: WallClock) throws -> PersistedState {
        try database.read { db in
            var state = PersistedState()
            for row in try Row.fetchAll(db, sql: "SELECT topic, message, qos, expires_at FROM retained ORDER BY topic") {
                // One unreadable message must not keep the broker from starting: it is skipped and counted.
                guard let message = try? Self.decode(row["message"], qos: row["qos"], expiresAt: row["expires_at"], clock: clock) else {
                    state.unreadableMessages += 1
                    continue
                }
                state.retained.append(message)
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM session ORDER BY client_id") {
                let clientID: String = row["client_id"]
                var session = PersistedSession(
                    clientID: clientID, owner: row["owner"], expiryInterval: UInt32(clamping: row["expiry_interval"] as Int64),
                    disconnectedAt: row["disconnected_at"], subscriptions: [],
                    snapshot: .init(nextPacketIdentifier: UInt16(clamping: row["next_packet_id"] as Int), inflight: [], pending: []))
                for sub in try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE client_id = ?", arguments: [clientID]) {
                    let options = MQTTPacket.SubscriptionOptions(
                        qos: MQTTQoS(rawValue: sub["qos"]) ?? .atMostOnce, noLocal: sub["no_local"], retainAsPublished: sub["retain_as_published"],
                        retainHandling: MQTTPacket.RetainHandling(rawValue: sub["retain_handling"]) ?? .sendOnSubscribe)
                    session.subscriptions.append(PersistedSubscription(filter: sub["filter"], options: options, identifier: sub["identifier"]))
                }
                for owed in try Row.fetchAll(db, sql: "SELECT * FROM owed WHERE client_id = ? ORDER BY seq", arguments: [clientID]) {
                    var delivery: MQTTDelivery?
                    if let blob = owed["message"] as Data? {
                        guard let message = try? Self.decode(blob, qos: owed["message_qos"], expiresAt: owed["expires_at"], clock: clock) else {
                            state.unreadableMessages += 1
                            continue
                        }
                        let identifiers = (owed["subscription_ids"] as String? ?? "").split(separator: ",").compactMap { Int($0) }
                        delivery = MQTTDelivery(
                            message: message, qos: MQTTQoS(rawValue: owed["qos"]) ?? .atLeastOnce, retain: owed["retain"],
                            subscriptionIdentifiers: identifiers)
                    }
                    if let identifier = owed["packet_id"] as Int? {
                        session.snapshot.inflight.append((UInt16(clamping: identifier), delivery))
                    } else if let delivery {
                        session.snapshot.pending.append(delivery)
                    }
                }
                state.sessions.append(session)
            }
            return state
        }
    }

    /// A message as a 5.0 PUBLISH at QoS 0 (its QoS is stored beside it: QoS 0 needs no packet identifier).
    private static func encode(_ message: MQTTMessage) -> Data {
        let packet = MQTTPacket.Publish(
            topicName: message.topic, payload: message.payload, qos: .atMostOnce, retain: message.retain, properties: message.properties)
        var buffer = ByteBufferAllocator().buffer(capacity: message.payload.readableBytes + message.topic.utf8.count + 16)
        // The message was decoded from a valid PUBLISH, so it encodes.
        _ = try? buffer.writeMQTTPacket(.publish(packet), version: .v5)
        return Data(buffer.readableBytesView)
    }

    private static func decode(_ blob: Data, qos: Int, expiresAt: Int64?, clock: WallClock) throws -> MQTTMessage {
        var buffer = ByteBufferAllocator().buffer(capacity: blob.count)
        buffer.writeBytes(blob)
        var decoder = MQTTDecoder(role: .client, protocolVersion: .v5, maximumPacketSize: Int.max)
        guard case .publish(let publish)? = try decoder.decodePacket(from: &buffer) else {
            throw MQTTProtocolError.truncatedPacket(.publish)
        }
        return MQTTMessage(
            topic: publish.topicName, payload: publish.payload, qos: MQTTQoS(rawValue: UInt8(qos)) ?? .atMostOnce,
            retain: publish.retain, properties: publish.properties, expiresAt: expiresAt.map(clock.deadline))
    }
}
