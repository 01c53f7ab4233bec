import GRDB

/// Reads `device` table rows (joined with their twin for the model) as `Device` values.
enum DeviceRow {
    /// The columns `decode` reads, from `device d JOIN twin t ON t.pk = d.twin`; secrets only as presence.
    static let columns = """
        d.id, t.model, d.status, d.secret_hash IS NOT NULL AS has_secret, d.sas_primary IS NOT NULL AS has_primary, \
        d.sas_secondary IS NOT NULL AS has_secondary, d.x509_thumbprints, d.connections, d.last_activity, \
        d.connected_at, d.disconnected_at, d.created_at, d.updated_at
        """
    static let join = "device d JOIN twin t ON t.pk = d.twin"

    static func decode(_ row: Row) throws -> Device {
        let statusText: String = row["status"]
        guard let status = Device.Status(rawValue: statusText) else {
            throw DatabaseError(message: "stored device status \"\(statusText)\" is unknown")
        }
        let connections: Int64 = row["connections"]
        return Device(
            id: row["id"],
            model: row["model"],
            status: status,
            hasSecret: row["has_secret"],
            hasPrimarySASKey: row["has_primary"],
            hasSecondarySASKey: row["has_secondary"],
            x509Thumbprints: thumbprints(row["x509_thumbprints"]),
            connectionState: connections > 0 ? .connected : .disconnected,
            lastActivity: timestamp(row["last_activity"]),
            connectedAt: timestamp(row["connected_at"]),
            disconnectedAt: timestamp(row["disconnected_at"]),
            createdAt: Timestamp(milliseconds: row["created_at"]),
            updatedAt: Timestamp(milliseconds: row["updated_at"])
        )
    }

    /// Thumbprints are validated hex, so a comma-separated list holds them unambiguously.
    static func thumbprints(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }

    static func text(_ thumbprints: [String]) -> String {
        thumbprints.joined(separator: ",")
    }

    private static func timestamp(_ milliseconds: Int64?) -> Timestamp? {
        milliseconds.map(Timestamp.init(milliseconds:))
    }
}
