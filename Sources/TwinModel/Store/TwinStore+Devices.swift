import GRDB

extension TwinStore {
    /// Most devices one `devices(in:)` page holds.
    public static let maximumDevicePage = 1000

    /// Registers a device or changes its registration (`PUT /v1/devices/{id}`), in one transaction.
    ///
    /// The device's twin is created when missing (with `model`); an existing twin keeps its state and gets
    /// `model` when one is given and differs (a new twin version). A new device starts `enabled` unless
    /// `status` says otherwise; for an existing one `nil` keeps the status, and each credential changes only
    /// as `credentials` says. The secret is stored as a salted PBKDF2 hash, SAS keys as given (signing needs
    /// them), thumbprints lowercase.
    ///
    /// - Returns: the device as read APIs show it, and whether its registration was created.
    @discardableResult
    public func registerDevice(
        _ id: String,
        in tenant: String,
        model: String? = nil,
        status: Device.Status? = nil,
        credentials: DeviceCredentials = DeviceCredentials(),
        changedBy: String,
        at time: Timestamp = .now
    ) async throws -> (device: Device, created: Bool) {
        try Identifiers.validate(id, kind: "device")
        // `{thing}.shadow.{name}` is where a thing's named shadow lives: a device with such an id would be
        // writable by thing `{thing}` through that shadow.
        if id.contains(".shadow.") {
            throw TwinModelError.invalidIdentifier(kind: "device", id: id, reason: "\".shadow.\" is kept for AWS named shadows")
        }
        let credentials = try credentials.validated()
        // Derived before the transaction: PBKDF2 takes milliseconds, the single writer should not wait for it.
        let secretHash: String? = if case .set(let secret) = credentials.secret { DeviceSecretHash(secret: secret).encoded } else { nil }
        let cache = reportedCache
        let conformanceCache = conformanceCache
        return try await writer.write { db in
            try Self.requireTenant(tenant, in: db)
            cache.invalidate(tenant: tenant, twin: id)
            let conformance = try Self.strictConformance(for: tenant, cache: conformanceCache, in: db)
            let twinPK: Int64
            if let (pk, existing) = try Self.loadTwin(id, tenant: tenant, in: db) {
                twinPK = pk
                if let model, model != existing.model {
                    var twin = existing
                    twin.setModel(model, at: time)
                    try conformance?.checkTwin(id, model: model, properties: twin.properties.value)
                    try TwinRow.update(twin, pk: pk, in: db)
                    if let conformance { try Self.checkRelationships(of: pk, with: conformance, in: db) }
                }
            } else {
                try conformance?.checkTwin(id, model: model, properties: [:])
                twinPK = try TwinRow.insert(Twin(id: id, model: model, at: time), tenant: tenant, in: db)
            }
            let created = try Self.upsertDevice(
                id, twin: twinPK, tenant: tenant, status: status, credentials: credentials, secretHash: secretHash,
                changedBy: changedBy, at: time, in: db)
            guard let device = try Self.loadDevice(id, tenant: tenant, in: db) else { throw TwinModelError.deviceNotFound(id) }
            return (device, created)
        }
    }

    /// The device, or `nil` when `id` is not registered in `tenant` (a twin alone is not a device).
    public func device(_ id: String, in tenant: String) async throws -> Device? {
        try await writer.read { db in try Self.loadDevice(id, tenant: tenant, in: db) }
    }

    /// The tenant's devices ordered by id, at most `limit` (capped at ``maximumDevicePage``), starting after
    /// the id `after` — pass the last id of a page to get the next.
    public func devices(in tenant: String, after: String? = nil, limit: Int = TwinStore.maximumDevicePage) async throws -> [Device] {
        let limit = min(max(limit, 1), Self.maximumDevicePage)
        return try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(DeviceRow.columns) FROM \(DeviceRow.join) WHERE d.tenant = ? AND d.id > ? ORDER BY d.id LIMIT ?",
                arguments: [tenant, after ?? "", limit]
            ).map(DeviceRow.decode)
        }
    }

    /// The ids of every registered device of the tenant, in id order: what a fleet-wide change targets.
    public func deviceIDs(in tenant: String) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM device WHERE tenant = ? ORDER BY id", arguments: [tenant])
        }
    }

    /// Removes a device's registration and credentials. Its twin stays, with its state, history and
    /// relationships; delete the twin to remove everything (which also removes the registration).
    public func deleteDevice(_ id: String, in tenant: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM device WHERE tenant = ? AND id = ?", arguments: [tenant, id])
            if db.changesCount == 0 { throw TwinModelError.deviceNotFound(id) }
        }
    }

    static func loadDevice(_ id: String, tenant: String, in db: Database) throws -> Device? {
        let statement = try db.cachedStatement(sql: "SELECT \(DeviceRow.columns) FROM \(DeviceRow.join) WHERE d.tenant = ? AND d.id = ?")
        return try Row.fetchOne(statement, arguments: [tenant, id]).map(DeviceRow.decode)
    }

    /// Inserts or updates the device row of twin `twin`; returns whether it was inserted.
    private static func upsertDevice(
        _ id: String, twin: Int64, tenant: String, status: Device.Status?, credentials: DeviceCredentials, secretHash: String?,
        changedBy: String, at time: Timestamp, in db: Database
    ) throws -> Bool {
        let stored = try Row.fetchOne(
            db, sql: "SELECT status, secret_hash, sas_primary, sas_secondary, x509_thumbprints FROM device WHERE twin = ?",
            arguments: [twin])
        var secret: String? = stored?["secret_hash"]
        switch credentials.secret {
        case .keep: break
        case .set: secret = secretHash
        case .remove: secret = nil
        }
        var primary: String? = stored?["sas_primary"]
        var secondary: String? = stored?["sas_secondary"]
        switch credentials.sasKeys {
        case .keep: break
        case .set(let keys): (primary, secondary) = (keys.primary, keys.secondary)
        case .remove: (primary, secondary) = (nil, nil)
        }
        var thumbprints: String = stored?["x509_thumbprints"] ?? ""
        switch credentials.x509Thumbprints {
        case .keep: break
        case .set(let values): thumbprints = DeviceRow.text(values)
        case .remove: thumbprints = ""
        }
        let statusText = status?.rawValue ?? stored?["status"] ?? Device.Status.enabled.rawValue
        if stored == nil {
            try db.execute(
                sql: """
                    INSERT INTO device (twin, tenant, id, status, secret_hash, sas_primary, sas_secondary, x509_thumbprints,
                        created_at, updated_at, updated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [twin, tenant, id, statusText, secret, primary, secondary, thumbprints, time.milliseconds, time.milliseconds, changedBy])
            return true
        }
        try db.execute(
            sql: """
                UPDATE device SET status = ?, secret_hash = ?, sas_primary = ?, sas_secondary = ?, x509_thumbprints = ?,
                    updated_at = ?, updated_by = ?
                WHERE twin = ?
                """,
            arguments: [statusText, secret, primary, secondary, thumbprints, time.milliseconds, changedBy, twin])
        return false
    }
}
