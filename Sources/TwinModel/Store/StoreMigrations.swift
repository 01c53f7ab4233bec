import GRDB

/// The schema, as named, append-only migrations: never edit a shipped one, add the next.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-graph", migrate: createGraph)
        migrator.registerMigration("v1-history", migrate: createHistory)
        migrator.registerMigration("v1-access-tokens", migrate: createAccessTokens)
        migrator.registerMigration("v2-covering-relationship-indexes", migrate: coverRelationshipIndexes)
        migrator.registerMigration("v3-tenant-validation", migrate: addTenantValidation)
        migrator.registerMigration("v4-devices", migrate: createDevices)
        migrator.registerMigration("v5-desired-rejections", migrate: createDesiredRejections)
        migrator.registerMigration("v6-commands", migrate: createCommands)
        migrator.registerMigration("v7-device-messages", migrate: createDeviceMessages)
        migrator.registerMigration("v8-telemetry", migrate: createTelemetry)
        migrator.registerMigration("v9-rules-alerts", migrate: createRulesAndAlerts)
        migrator.registerMigration("v10-telemetry-retention", migrate: addTelemetryRetention)
        return migrator
    }

    private static func createGraph(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE tenant (
                    id TEXT PRIMARY KEY NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE twin (
                    pk INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant TEXT NOT NULL REFERENCES tenant(id),
                    id TEXT NOT NULL,
                    model TEXT,
                    properties TEXT NOT NULL,
                    properties_meta TEXT NOT NULL,
                    properties_version INTEGER NOT NULL,
                    desired TEXT NOT NULL,
                    desired_meta TEXT NOT NULL,
                    desired_version INTEGER NOT NULL,
                    reported TEXT NOT NULL,
                    reported_meta TEXT NOT NULL,
                    reported_version INTEGER NOT NULL,
                    tags TEXT NOT NULL,
                    tags_meta TEXT NOT NULL,
                    tags_version INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (tenant, id)
                );
                CREATE INDEX twin_by_model ON twin(tenant, model);
                CREATE TABLE relationship (
                    pk INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant TEXT NOT NULL,
                    source INTEGER NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    id TEXT NOT NULL,
                    target INTEGER NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    properties TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    UNIQUE (source, id)
                );
                CREATE INDEX relationship_by_source ON relationship(source, name, target);
                CREATE INDEX relationship_by_target ON relationship(target, name, source);
                CREATE TABLE model (
                    tenant TEXT NOT NULL REFERENCES tenant(id),
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    uploaded_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant, id)
                ) WITHOUT ROWID;
                """
        )
    }

    private static func createHistory(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE history (
                    seq INTEGER PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    twin TEXT NOT NULL,
                    incarnation INTEGER NOT NULL,
                    section TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    patch TEXT NOT NULL,
                    inverse TEXT NOT NULL,
                    changed_by TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX history_by_twin ON history(incarnation, seq);
                """
        )
    }

    /// Graph walks test each relationship's tenant; with it in the indexes they answer without the table.
    private static func coverRelationshipIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX relationship_by_source;
                DROP INDEX relationship_by_target;
                CREATE INDEX relationship_by_source ON relationship(source, name, target, tenant);
                CREATE INDEX relationship_by_target ON relationship(target, name, source, tenant);
                """
        )
    }

    private static func createAccessTokens(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE access_token (
                    hash BLOB PRIMARY KEY NOT NULL,
                    tenant TEXT NOT NULL REFERENCES tenant(id),
                    role TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """
        )
    }

    /// Tenants start lenient, as before the setting existed.
    private static func addTenantValidation(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE tenant ADD COLUMN validation TEXT NOT NULL DEFAULT 'lenient'")
    }

    /// The device registry: one row per device twin, gone with its twin. `connections` counts the device's
    /// open connections, so a takeover's connect and the old connection's disconnect may arrive in any order.
    private static func createDevices(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE device (
                    twin INTEGER PRIMARY KEY NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    tenant TEXT NOT NULL,
                    id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    secret_hash TEXT,
                    sas_primary TEXT,
                    sas_secondary TEXT,
                    x509_thumbprints TEXT NOT NULL,
                    connections INTEGER NOT NULL DEFAULT 0,
                    last_activity INTEGER,
                    connected_at INTEGER,
                    disconnected_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    updated_by TEXT NOT NULL,
                    UNIQUE (tenant, id)
                );
                """
        )
    }

    /// What devices said they cannot apply, per desired key (see `TwinStore.rejectDesired`).
    private static func createDesiredRejections(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE desired_rejection (
                    twin INTEGER NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    desired_version INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (twin, key)
                ) WITHOUT ROWID;
                """)
    }

    private static func createCommands(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE command (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    twin INTEGER NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL,
                    requested_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    timeout_ms INTEGER NOT NULL,
                    delivered_at INTEGER,
                    completed_at INTEGER,
                    reply_status INTEGER,
                    reply TEXT
                );
                CREATE INDEX command_by_twin ON command(twin, status, seq);
                """)
    }

    private static func createDeviceMessages(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE device_message (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    twin INTEGER NOT NULL REFERENCES twin(pk) ON DELETE CASCADE,
                    body BLOB NOT NULL,
                    content_type TEXT,
                    properties TEXT NOT NULL,
                    status TEXT NOT NULL,
                    sent_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    delivered_at INTEGER
                );
                CREATE INDEX device_message_by_twin ON device_message(twin, status, seq);
                """)
    }

    /// The telemetry log (offsets only grow: AUTOINCREMENT never reuses one, even after retention deletes the
    /// newest), raw points and rollups per twin and metric, and each twin's last-known telemetry.
    private static func createTelemetry(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE twin ADD COLUMN telemetry TEXT NOT NULL DEFAULT '{}';
                ALTER TABLE twin ADD COLUMN telemetry_at INTEGER;
                ALTER TABLE twin ADD COLUMN telemetry_device_time INTEGER;
                CREATE TABLE telemetry_log (
                    offset INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant TEXT NOT NULL,
                    twin TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    device_time INTEGER,
                    payload TEXT NOT NULL
                );
                CREATE INDEX telemetry_log_by_time ON telemetry_log(received_at);
                CREATE TABLE telemetry_point (
                    twin INTEGER NOT NULL,
                    metric TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    value REAL NOT NULL
                );
                CREATE INDEX telemetry_point_by_metric ON telemetry_point(twin, metric, at);
                CREATE TABLE telemetry_rollup (
                    twin INTEGER NOT NULL,
                    metric TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    bucket INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    sum REAL NOT NULL,
                    min REAL NOT NULL,
                    max REAL NOT NULL,
                    last REAL NOT NULL,
                    last_at INTEGER NOT NULL,
                    PRIMARY KEY (twin, metric, width, bucket)
                ) WITHOUT ROWID;
                """)
    }

    /// Rule documents, alerts (at most one open per rule and twin) and every change of every alert.
    private static func createRulesAndAlerts(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE rule (
                    tenant TEXT NOT NULL,
                    id TEXT NOT NULL,
                    document TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant, id)
                ) WITHOUT ROWID;
                CREATE TABLE alert (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    tenant TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    twin TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    state TEXT NOT NULL,
                    raised_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    acknowledged_at INTEGER,
                    acknowledged_by TEXT,
                    cleared_at INTEGER,
                    details TEXT NOT NULL
                );
                CREATE UNIQUE INDEX alert_open ON alert(tenant, rule, twin) WHERE state != 'cleared';
                CREATE INDEX alert_by_state ON alert(tenant, state, seq);
                CREATE TABLE alert_event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert TEXT NOT NULL,
                    tenant TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    details TEXT NOT NULL
                );
                CREATE INDEX alert_event_by_alert ON alert_event(alert, seq);
                """)
    }

    /// Per-tenant telemetry retention (raw data 7 days, rollups 400 days) and downsampling rules.
    private static func addTelemetryRetention(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE tenant ADD COLUMN telemetry_raw_retention INTEGER NOT NULL DEFAULT 604800000;
                ALTER TABLE tenant ADD COLUMN telemetry_rollup_retention INTEGER NOT NULL DEFAULT 34560000000;
                ALTER TABLE tenant ADD COLUMN telemetry_downsampling TEXT NOT NULL DEFAULT '[]';
                CREATE INDEX telemetry_point_by_time ON telemetry_point(at);
                """)
    }
}
