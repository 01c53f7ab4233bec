import GRDB

/// A piece of SQL and the values bound to its `?` placeholders, in order.
///
/// Query text never reaches SQL: the compiler writes only its own keywords, generated aliases (`t0`,
/// `r1`, `w2`) and placeholders; literals, tenant, relationship names and JSON paths are all arguments.
struct SQLFragment: Sendable, Equatable {
    var sql: String
    var arguments: [DatabaseValue]

    init(_ sql: String = "", _ arguments: [DatabaseValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// One placeholder bound to `value`.
    static func bind(_ value: some DatabaseValueConvertible) -> SQLFragment {
        SQLFragment("?", [value.databaseValue])
    }

    /// `(?, ?, …)` bound to `values`.
    static func list(_ values: [DatabaseValue]) -> SQLFragment {
        SQLFragment("(" + Array(repeating: "?", count: values.count).joined(separator: ", ") + ")", values)
    }

    var isEmpty: Bool { sql.isEmpty }

    static func + (left: SQLFragment, right: SQLFragment) -> SQLFragment {
        SQLFragment(left.sql + right.sql, left.arguments + right.arguments)
    }

    static func + (left: SQLFragment, right: String) -> SQLFragment {
        SQLFragment(left.sql + right, left.arguments)
    }

    static func + (left: String, right: SQLFragment) -> SQLFragment {
        SQLFragment(left + right.sql, right.arguments)
    }

    static func += (left: inout SQLFragment, right: SQLFragment) {
        left.sql += right.sql
        left.arguments += right.arguments
    }

    static func += (left: inout SQLFragment, right: String) {
        left.sql += right
    }

    /// The fragments joined by `separator`.
    static func joined(_ fragments: [SQLFragment], separator: String) -> SQLFragment {
        var result = SQLFragment()
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { result.sql += separator }
            result += fragment
        }
        return result
    }

    /// The fragment in parentheses.
    var parenthesized: SQLFragment { "(" + self + ")" }
}

extension SQLFragment: ExpressibleByStringLiteral {
    init(stringLiteral value: String) {
        self.init(value)
    }
}
