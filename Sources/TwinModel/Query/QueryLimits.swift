/// The bounds a query must stay within; the defaults are Azure Digital Twins' (PROTOCOLS.md).
///
/// Exceeding one is a `QueryError` of kind `.limitExceeded`, naming the limit, never a silent truncation.
public struct QueryLimits: Sendable, Hashable, Codable {
    /// One limit, as errors name it.
    public enum Limit: String, Sendable, Hashable, Codable, CustomStringConvertible {
        case length = "maximumLength"
        case logicalOperators = "maximumLogicalOperators"
        case inItems = "maximumInItems"
        case joins = "maximumJoins"
        case hops = "maximumHops"
        case nesting = "maximumNesting"
        case duration = "maximumDuration"

        public var description: String {
            switch self {
            case .length: "query length"
            case .logicalOperators: "AND/OR operators"
            case .inItems: "IN/NIN list items"
            case .joins: "joins"
            case .hops: "MATCH hops"
            case .nesting: "expression nesting"
            case .duration: "run time"
            }
        }
    }

    /// Length of the query text, in Unicode code points.
    public var maximumLength = 8_000
    /// `AND` and `OR` operators in the whole query.
    public var maximumLogicalOperators = 50
    /// Items in one `IN [...]` or `NIN [...]` list.
    public var maximumInItems = 50
    /// `JOIN` clauses, or edges of a `MATCH` pattern.
    public var maximumJoins = 5
    /// Hops of a `MATCH` pattern, summing each edge's upper bound.
    public var maximumHops = 10
    /// Nesting of parentheses and `NOT` in a condition (Doppel's own bound: keeps parsing off the stack's edge).
    public var maximumNesting = 64
    /// Items in one page of results; more come with a continuation token.
    public var pageSize = 100
    /// Longest a query may run on a reader before it is interrupted, in seconds.
    public var maximumDuration = 10.0

    public init() {}

    /// The value of one limit.
    public subscript(limit: Limit) -> Int {
        switch limit {
        case .length: maximumLength
        case .logicalOperators: maximumLogicalOperators
        case .inItems: maximumInItems
        case .joins: maximumJoins
        case .hops: maximumHops
        case .nesting: maximumNesting
        case .duration: Int(maximumDuration.rounded(.up))
        }
    }

    /// The defaults.
    public static let standard = QueryLimits()
}
