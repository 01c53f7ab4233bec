/// Why a query was refused, and where: `position` is a 0-based offset into the query text, counted in
/// Unicode code points, so the HTTP layer can say "at position 17: expected ')'".
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The text does not follow the grammar; `expected` says what would have.
        case syntax
        /// Well-formed, but names something unknown or combines things that do not go together.
        case invalid
        /// A `QueryLimits` bound was exceeded.
        case limitExceeded(QueryLimits.Limit)
        /// The continuation token is malformed or belongs to another query.
        case continuationToken
    }

    public var kind: Kind
    public var position: Int
    /// For syntax errors, what the parser expected at `position`, e.g. `')'` or `a collection alias`.
    public var expected: String?
    /// The whole explanation, e.g. `expected ')', found 'WHERE'`.
    public var message: String

    public init(_ kind: Kind, at position: Int, expected: String? = nil, message: String) {
        self.kind = kind
        self.position = position
        self.expected = expected
        self.message = message
    }

    public var description: String { "at position \(position): \(message)" }

    /// A syntax error: `expected` was wanted where `found` stands.
    static func expected(_ expected: String, found: String, at position: Int) -> QueryError {
        QueryError(.syntax, at: position, expected: expected, message: "expected \(expected), found \(found)")
    }

    /// A well-formed query that cannot run as written.
    static func invalid(_ message: String, at position: Int) -> QueryError {
        QueryError(.invalid, at: position, message: message)
    }

    /// More of something than `limits` allow; `value` is the limit.
    static func limit(_ limit: QueryLimits.Limit, _ value: Int, at position: Int, found: Int? = nil) -> QueryError {
        let what: String
        switch limit {
        case .length: what = "the query is \(found ?? value + 1) code points long"
        case .logicalOperators: what = "too many AND/OR operators"
        case .inItems: what = "too many items in an IN/NIN list"
        case .joins: what = "too many joins"
        case .hops: what = "too many hops in the MATCH pattern"
        case .nesting: what = "conditions nested too deeply"
        case .duration: what = "the query ran too long"
        }
        return QueryError(.limitExceeded(limit), at: position, message: "\(what); the limit \(limit.rawValue) is \(value)")
    }
}
