import GRDB

/// A device's word that it cannot apply a desired key, as the twin shows it.
public struct DesiredRejection: Sendable, Hashable {
    public var reason: String
    /// The desired section's version the device answered; a later change of the key supersedes it.
    public var desiredVersion: Int64
    public var at: Timestamp

    public init(reason: String, desiredVersion: Int64, at: Timestamp) {
        self.reason = reason
        self.desiredVersion = desiredVersion
        self.at = at
    }
}

extension TwinStore {
    /// Longest reason kept, in UTF-8 bytes.
    public static let maximumRejectionReason = 512

    /// Records that the device cannot apply these desired keys (key → reason), against the current desired
    /// version. Keys not in desired are refused; an empty reason or one over 512 bytes too.
    public func rejectDesired(_ rejections: [String: String], of id: String, in tenant: String, at time: Timestamp = .now) async throws {
        try await writer.write { db in
            guard let (pk, twin) = try Self.loadTwin(id, tenant: tenant, in: db) else { throw TwinModelError.twinNotFound(id) }
            for (key, reason) in rejections.sorted(by: { $0.key < $1.key }) {
                guard twin.desired.value[key] != nil else { throw TwinModelError.unknownDesiredKey(key) }
                guard !reason.isEmpty, reason.utf8.count <= Self.maximumRejectionReason else {
                    throw TwinModelError.stringTooLong(path: "rejected.\(key)", bytes: reason.utf8.count, limit: Self.maximumRejectionReason)
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO desired_rejection (twin, key, reason, desired_version, at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [pk, key, reason, twin.desired.version, time.milliseconds])
            }
        }
    }

    /// The rejections still standing for `twin`: a key's rejection lapses once desired changed that key
    /// after it, or the key converged.
    public func desiredRejections(of twin: Twin, in tenant: String) async throws -> [String: DesiredRejection] {
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.key, r.reason, r.desired_version, r.at FROM desired_rejection r JOIN twin t ON t.pk = r.twin
                    WHERE t.tenant = ? AND t.id = ?
                    """,
                arguments: [tenant, twin.id])
        }
        let delta = twin.delta ?? [:]
        var standing: [String: DesiredRejection] = [:]
        for row in rows {
            let key: String = row[0]
            let rejection = DesiredRejection(reason: row[1], desiredVersion: row[2], at: Timestamp(milliseconds: row[3]))
            let changedAt = twin.desired.metadata.members[key]?.lastUpdatedVersion ?? 0
            guard delta[key] != nil, changedAt <= rejection.desiredVersion else { continue }
            standing[key] = rejection
        }
        return standing
    }
}
