import Dispatch
import GRDB
import GRDBSQLite

/// Interrupts a statement that runs past a deadline, through SQLite's progress handler.
///
/// The handler runs every few thousand virtual-machine steps on the querying thread, so a runaway query
/// (an unanchored 10-hop walk over a million twins) gives its reader back instead of holding it forever.
enum QueryDeadline {
    /// Runs `body` with the deadline armed on `db`; an interrupted statement throws `SQLITE_INTERRUPT`.
    static func run<T>(seconds: Double, on db: Database, _ body: () throws -> T) rethrows -> T {
        let deadline = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        deadline.initialize(to: DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1_000_000_000))
        sqlite3_progress_handler(db.sqliteConnection, 10_000, { context in
            guard let context else { return 0 }
            return DispatchTime.now().uptimeNanoseconds > context.load(as: UInt64.self) ? 1 : 0
        }, deadline)
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            deadline.deallocate()
        }
        return try body()
    }
}
