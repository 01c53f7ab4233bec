import GRDB
import Logging

/// The twin graph on SQLite: tenants, twins, relationships, models, history and access tokens.
///
/// Every public method is one use case and one transaction. Writes go through SQLite's single writer
/// (WAL mode), reads through a pool of readers; a read that starts after a write returns sees it.
public final class TwinStore: Sendable {
    /// The tenant a fresh data directory starts with.
    public static let defaultTenant = "default"

    let writer: any DatabaseWriter
    public let configuration: StoreConfiguration
    let logger: Logger
    /// Committed reported state of recently written twins, for the batch path.
    let reportedCache: ReportedStateCache
    /// Query shapes whose prepared statements stay cached on each reader.
    let statementShapes = StatementShapes(capacity: 256)
    /// Parsed model sets of strict tenants.
    let conformanceCache = ConformanceCache()
    /// Listeners to committed changes.
    let observers = StoreObservers()

    /// Opens (creating if needed) the database file at `path` in WAL mode and brings its schema up to date.
    public convenience init(path: String, configuration: StoreConfiguration = StoreConfiguration(), logger: Logger) throws {
        var databaseConfiguration = Configuration()
        databaseConfiguration.maximumReaderCount = configuration.maximumReaders
        databaseConfiguration.busyMode = .timeout(10)
        databaseConfiguration.prepareDatabase { db in
            // WAL with NORMAL sync is durable across process crashes; only power loss may lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A page cache of 64 MiB keeps the twin table's hot pages and indexes in memory.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Checkpoint every ~40 MiB of WAL rather than every 4 MiB: fewer fsyncs under batch writes.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        let pool = try DatabasePool(path: path, configuration: databaseConfiguration)
        try self.init(writer: pool, configuration: configuration, logger: logger)
    }

    /// Uses an open database, e.g. an in-memory `DatabaseQueue` in tests, and migrates it.
    public init(writer: any DatabaseWriter, configuration: StoreConfiguration = StoreConfiguration(), logger: Logger) throws {
        self.writer = writer
        self.configuration = configuration
        self.logger = logger
        reportedCache = ReportedStateCache(capacity: configuration.reportedCacheCapacity)
        try StoreMigrations.migrator.migrate(writer)
        try writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO tenant (id, created_at) VALUES (?, ?)",
                arguments: [Self.defaultTenant, Timestamp.now.milliseconds]
            )
        }
    }

    /// The names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try StoreMigrations.migrator.appliedMigrations(db) }
    }

    /// Whether the database answers a trivial read.
    public func isHealthy() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// Creates a tenant if it does not exist yet.
    public func ensureTenant(_ tenant: String) async throws {
        try Identifiers.validateTenant(tenant)
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO tenant (id, created_at) VALUES (?, ?)",
                arguments: [tenant, Timestamp.now.milliseconds]
            )
        }
    }

    /// The ids of all tenants.
    public func tenants() async throws -> [String] {
        try await writer.read { db in try String.fetchAll(db, sql: "SELECT id FROM tenant ORDER BY id") }
    }

    static func requireTenant(_ tenant: String, in db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenant]) == true else {
            throw TwinModelError.tenantNotFound(tenant)
        }
    }
}
