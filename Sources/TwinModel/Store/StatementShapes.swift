import GRDB
import Synchronization

/// Which query shapes may keep a prepared statement on each connection.
///
/// A query's SQL is the same text for every value, so repeated shapes skip SQLite's prepare; but callers
/// can write endless shapes, so only the first `capacity` seen are cached and the rest are prepared each time.
final class StatementShapes: Sendable {
    private let shapes = Mutex<Set<String>>([])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A statement for `sql`: from the connection's cache when the shape is one of the cached ones.
    func statement(_ sql: String, in db: Database) throws -> Statement {
        let cacheable = shapes.withLock { shapes in
            if shapes.contains(sql) { return true }
            guard shapes.count < capacity else { return false }
            shapes.insert(sql)
            return true
        }
        return cacheable ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }
}
