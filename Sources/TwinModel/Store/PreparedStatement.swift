import GRDB
import GRDBSQLite

/// Binds and steps one of GRDB's cached statements through the SQLite C API.
///
/// Only the batch hot path uses it: binding UTF-8 bytes directly skips building a `String` and a
/// `DatabaseValue` per argument, which costs more than SQLite's own work for small rows.
struct PreparedStatement {
    let handle: SQLiteStatement
    let database: Database

    init(_ statement: Statement, in database: Database) {
        handle = statement.sqliteStatement
        self.database = database
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, text bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bind(index, utf8: $0) }
    }

    func bind(_ index: Int32, text string: String) {
        var string = string
        string.withUTF8 { bind(index, utf8: $0) }
    }

    private func bind(_ index: Int32, utf8 buffer: UnsafeBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress else {
            sqlite3_bind_text(handle, index, "", 0, Self.transient)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { characters in
            _ = sqlite3_bind_text(handle, index, characters, Int32(buffer.count), Self.transient)
        }
    }

    /// Steps once; `true` when a row is available.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(database.sqliteConnection)))
        }
    }

    /// Ready for the next use, with no bindings left over.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// The column's UTF-8 text, valid until the next step or reset.
    func withText<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let pointer = sqlite3_column_text(handle, column) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: pointer, count: count))
    }
}
