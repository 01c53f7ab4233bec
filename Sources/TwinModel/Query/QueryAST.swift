/// A parsed query: the typed syntax tree `QueryParser` builds and `QueryCompiler` turns into SQL.
///
/// Every node keeps the position (code point offset) where it starts, so later stages can point at it.
public struct Query: Sendable, Equatable {
    /// `TOP(n)`: at most this many results in all, across pages.
    public var top: Int?
    public var projection: Projection
    public var source: QuerySource
    public var filter: QueryExpression?
    /// Doppel's extension: `GROUP BY` expressions.
    public var groupBy: [QueryExpression]
    /// Doppel's extension: `ORDER BY` items, first is most significant.
    public var orderBy: [QueryOrderItem]
}

/// What a query returns.
public enum Projection: Sendable, Equatable {
    /// `SELECT *`: the twins of the only collection.
    case all(position: Int)
    case items([ProjectionItem])
}

/// One projected value: a collection, a property path or an aggregate, optionally renamed with `AS`.
public struct ProjectionItem: Sendable, Equatable {
    public var expression: QueryExpression
    public var alias: QueryName?
    public var position: Int
}

/// An identifier the query names (alias, relationship name) and where it stands.
public struct QueryName: Sendable, Equatable {
    public var text: String
    public var position: Int
}

/// Where the rows come from.
public enum QuerySource: Sendable, Equatable {
    /// `FROM DIGITALTWINS [alias] [JOIN alias RELATED alias.name [relationshipAlias]]*`; no alias means
    /// bare property names refer to the only collection.
    case collection(alias: QueryName?, joins: [QueryJoin])
    /// `FROM DIGITALTWINS MATCH (a)-[...]->(b)…`.
    case match(MatchPattern)
}

/// `JOIN alias RELATED source.relationship [relationshipAlias]`: the targets of `source`'s relationships so named.
public struct QueryJoin: Sendable, Equatable {
    public var alias: QueryName
    public var source: QueryName
    public var relationship: QueryName
    public var relationshipAlias: QueryName?
    public var position: Int
}

/// A chain of twins linked by edges: `nodes.count == edges.count + 1`, edge `i` links nodes `i` and `i + 1`.
public struct MatchPattern: Sendable, Equatable {
    public var nodes: [MatchNode]
    public var edges: [MatchEdge]
}

/// `(name)` or the anonymous `()`; a name used twice is the same twin.
public struct MatchNode: Sendable, Equatable {
    public var name: QueryName?
    public var position: Int
}

/// `-[variable:name1|name2*hops]->` and its kin.
public struct MatchEdge: Sendable, Equatable {
    public enum Direction: Sendable, Equatable {
        /// `-[…]->`: from the left node to the right one.
        case right
        /// `<-[…]-`: from the right node to the left one.
        case left
        /// `-[…]-`: either way.
        case either
    }

    /// The relationship variable; only on single-hop edges.
    public var variable: QueryName?
    /// Relationship names, any of which matches; empty matches every name.
    public var names: [String]
    public var direction: Direction
    /// The numbers of hops that match, ADT's syntax resolved: `*3` is 3...3, `*..2` is 1...2, `*1..3` is 2...3.
    public var hops: ClosedRange<Int>
    public var position: Int
}

/// A condition, value or aggregate.
public indirect enum QueryExpression: Sendable, Equatable {
    /// A JSON scalar: string, number, boolean or null.
    case literal(JSONValue, position: Int)
    /// A collection (`T`) or a path into one (`T.a.b`, `T.$dtId`, `T['odd name']`, or `name` with an unnamed collection).
    case path(PropertyPath)
    case comparison(QueryExpression, ComparisonOperator, QueryExpression, position: Int)
    /// `value IN [...]`, or `NIN` when `negated`.
    case membership(QueryExpression, [JSONValue], negated: Bool, position: Int)
    case and(QueryExpression, QueryExpression, position: Int)
    case or(QueryExpression, QueryExpression, position: Int)
    case not(QueryExpression, position: Int)
    /// `IS_OF_MODEL([collection,] 'dtmi:…;1' [, exact])`.
    case isOfModel(collection: QueryName?, model: String, exact: Bool, position: Int)
    /// The other built-in functions, arguments as written.
    case function(QueryFunction, [QueryExpression], position: Int)
    /// `COUNT()`, `SUM(x)`, …: only in projections and `ORDER BY`.
    case aggregate(QueryAggregate, QueryExpression?, position: Int)

    /// Where the expression starts (for binary operators, where the operator stands).
    public var position: Int {
        switch self {
        case .literal(_, let position), .comparison(_, _, _, let position), .membership(_, _, _, let position),
            .and(_, _, let position), .or(_, _, let position), .not(_, let position),
            .isOfModel(_, _, _, let position), .function(_, _, let position), .aggregate(_, _, let position):
            position
        case .path(let path): path.position
        }
    }
}

public enum ComparisonOperator: String, Sendable, Equatable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// The built-in functions but `IS_OF_MODEL`, with their arity.
public enum QueryFunction: String, Sendable, Equatable, CaseIterable {
    case isDefined = "IS_DEFINED"
    case isNull = "IS_NULL"
    case isBool = "IS_BOOL"
    case isNumber = "IS_NUMBER"
    case isString = "IS_STRING"
    case isObject = "IS_OBJECT"
    case isArray = "IS_ARRAY"
    case isPrimitive = "IS_PRIMITIVE"
    case startsWith = "STARTSWITH"
    case endsWith = "ENDSWITH"
    case contains = "CONTAINS"
    case arrayContains = "ARRAY_CONTAINS"

    public var arity: Int {
        switch self {
        case .startsWith, .endsWith, .contains, .arrayContains: 2
        default: 1
        }
    }
}

public enum QueryAggregate: String, Sendable, Equatable, CaseIterable {
    case count = "COUNT"
    case sum = "SUM"
    case average = "AVG"
    case minimum = "MIN"
    case maximum = "MAX"
}

/// A path from a collection: `segments[0]` is the collection alias, or, with an unnamed collection, the first property.
public struct PropertyPath: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var name: String
        public var position: Int
        /// Written in brackets, `['odd name']`: always a property name, never an alias or system name.
        public var isQuoted: Bool

        /// `$dtId`, `$metadata`, …
        public var isSystem: Bool { !isQuoted && name.hasPrefix("$") }
    }

    public var segments: [Segment]
    public var position: Int { segments[0].position }
}

/// `expression [ASC|DESC]`.
public struct QueryOrderItem: Sendable, Equatable {
    public var expression: QueryExpression
    public var descending: Bool
}
