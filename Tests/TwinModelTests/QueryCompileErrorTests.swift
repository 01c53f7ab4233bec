import Foundation
import Testing
@testable import TwinModel

/// Well-formed queries that cannot run: unknown names, misplaced collections, aggregates and types.
@Suite("Query compile errors")
struct QueryCompileErrorTests {
    /// The offset of the `occurrence`-th `marker` in `text`, in code points; a `|` in the marker marks
    /// the exact spot, as in `"BY |T"`.
    static func offset(of marker: String, in text: String, occurrence: Int = 1) -> Int {
        let parts = marker.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 { return offset(of: parts.joined(), in: text, occurrence: occurrence) + parts[0].unicodeScalars.count }
        var searchStart = text.startIndex
        var found = text.startIndex
        for _ in 0..<occurrence {
            found = text.range(of: marker, range: searchStart..<text.endIndex)!.lowerBound
            searchStart = text.index(after: found)
        }
        return text.unicodeScalars.distance(from: text.startIndex, to: found)
    }

    @Test(arguments: [
        ("SELECT * FROM DIGITALTWINS T WHERE X.a = 1", "X.a", 1, "unknown collection 'X'"),
        ("SELECT X FROM DIGITALTWINS T", "X", 1, "unknown collection 'X'"),
        ("SELECT * FROM DIGITALTWINS T WHERE $dtId = 'x'", "$dtId", 1, "'$dtId' needs a collection in front of it, as in T.$dtId"),
        ("SELECT * FROM DIGITALTWINS T JOIN C RELATED T.x", "*", 1, "SELECT * needs a single collection; name what to return, as in SELECT T, R"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[r]->()", "*", 1, "SELECT * needs a single collection; name what to return, as in SELECT T, R"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[]->(b)", "*", 1, "SELECT * needs a single collection; name what to return, as in SELECT T, R"),
        ("SELECT T FROM DIGITALTWINS T JOIN T RELATED T.x", "T RELATED", 1, "'T' is already defined"),
        ("SELECT T FROM DIGITALTWINS T JOIN C RELATED X.x", "X.x", 1, "unknown collection 'X'"),
        ("SELECT T FROM DIGITALTWINS T JOIN C RELATED T.x R JOIN D RELATED R.y", "R.y", 1, "'R' is a relationship, not a collection of twins"),
        ("SELECT T FROM DIGITALTWINS T JOIN C RELATED T.x T", "x |T", 1, "'T' is already defined"),
        ("SELECT a FROM DIGITALTWINS MATCH (a)-[a]->(b)", "a]", 1, "'a' is already defined"),
        ("SELECT a FROM DIGITALTWINS MATCH (a)-[r]->(r)", "r)", 1, "'r' is already defined"),
        ("SELECT a FROM DIGITALTWINS MATCH (a)-[r]->(b)-[r]->(c)", "r]", 2, "'r' is already defined"),
        ("SELECT T.$foo FROM DIGITALTWINS T", "$foo", 1, "unknown twin property '$foo'; twins have $dtId, $etag and $metadata.$model"),
        ("SELECT T.$metadata FROM DIGITALTWINS T", "$metadata", 1, "only $metadata.$model can be queried"),
        ("SELECT T.$metadata.name FROM DIGITALTWINS T", "name", 1, "only $metadata.$model can be queried"),
        ("SELECT T.$metadata.$model.x FROM DIGITALTWINS T", "x FROM", 1, "'$model' has no members; 'x' cannot follow it"),
        ("SELECT T.$dtId.x FROM DIGITALTWINS T", "x FROM", 1, "'$dtId' has no members; 'x' cannot follow it"),
        ("SELECT T.a.$b FROM DIGITALTWINS T", "$b", 1, "'$b' is not a property; system properties follow a collection directly"),
        ("SELECT T.desired.$version FROM DIGITALTWINS T", "$version", 1, "'$version' is not a property; system properties follow a collection directly"),
        (#"SELECT * FROM DIGITALTWINS T WHERE T['a"b'] = 1"#, "'a", 1, "property names containing '\"' cannot be queried"),
        ("SELECT R.$foo FROM DIGITALTWINS T JOIN C RELATED T.x R", "$foo", 1,
         "unknown relationship property '$foo'; relationships have $relationshipId, $sourceId, $targetId, $relationshipName and $etag"),
        ("SELECT * FROM DIGITALTWINS T WHERE T = 'x'", "=", 1, "a collection cannot be compared; compare one of its properties, such as $dtId"),
        ("SELECT * FROM DIGITALTWINS T WHERE T IN ['x']", " |IN", 1, "a collection cannot be compared; compare one of its properties, such as $dtId"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.$etag > 'x'", ">", 1, "$etag can only be compared with = or != to a string"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.$etag = 1", "=", 1, "$etag can only be compared with = or != to a string"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.$etag IN ['x']", " |IN", 1, "$etag can only be compared with = or != to a string"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x < null", "<", 1, "null has no order; compare it with = or !="),
        ("SELECT * FROM DIGITALTWINS T WHERE IS_DEFINED(T)", "T)", 1, "IS_DEFINED takes a property, not a collection"),
        ("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.name, T.x)", "T.x", 1, "STARTSWITH needs a string literal as its second argument"),
        ("SELECT * FROM DIGITALTWINS T WHERE ENDSWITH(T.name, 5)", "5", 1, "ENDSWITH needs a string literal as its second argument"),
        ("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$etag, 'W')", "STARTSWITH", 1, "STARTSWITH takes a string property"),
        ("SELECT * FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.a, T.b)", "T.b", 1, "ARRAY_CONTAINS needs a literal as its second argument"),
        ("SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE IS_OF_MODEL('m')", "IS_OF_MODEL", 1,
         "IS_OF_MODEL needs a collection when the query has several, as in IS_OF_MODEL(T, '…')"),
        ("SELECT T FROM DIGITALTWINS T JOIN C RELATED T.x R WHERE IS_OF_MODEL(R, 'm')", "R,", 1, "'R' is a relationship; IS_OF_MODEL tests twins"),
        ("SELECT T FROM DIGITALTWINS T WHERE IS_OF_MODEL(X, 'm')", "X", 1, "unknown collection 'X'"),
        ("SELECT T FROM DIGITALTWINS T WHERE COUNT() > 1", "COUNT", 1, "aggregates are only allowed in SELECT and ORDER BY"),
        ("SELECT T FROM DIGITALTWINS T WHERE SUM(T.a) > 1", "SUM", 1, "aggregates are only allowed in SELECT and ORDER BY"),
        ("SELECT T FROM DIGITALTWINS T WHERE 'x'", "'x'", 1, "expected a condition, found a literal"),
        ("SELECT T FROM DIGITALTWINS T WHERE T.a = (T.b = 1)", "=", 2, "expected a property or a literal, found a condition"),
        ("SELECT T.name, COUNT() FROM DIGITALTWINS T", "T.name", 1, "'T.name' must be in GROUP BY or inside an aggregate"),
        ("SELECT T, COUNT() FROM DIGITALTWINS T", "T,", 1, "'T' must be in GROUP BY or inside an aggregate"),
        ("SELECT T.a, COUNT() FROM DIGITALTWINS T GROUP BY T.b", "T.a", 1, "'T.a' must be in GROUP BY or inside an aggregate"),
        ("SELECT * FROM DIGITALTWINS T GROUP BY T.a", "*", 1, "SELECT * cannot be grouped; name the properties and aggregates to return"),
        ("SELECT COUNT() FROM DIGITALTWINS T GROUP BY T", "BY |T", 1, "GROUP BY takes properties such as T.$dtId or T.name, not collections or $etag"),
        ("SELECT COUNT() FROM DIGITALTWINS T GROUP BY T.$etag", "T.$etag", 1, "GROUP BY takes properties such as T.$dtId or T.name, not collections or $etag"),
        ("SELECT COUNT() FROM DIGITALTWINS T GROUP BY COUNT()", "COUNT", 2, "GROUP BY takes properties, not aggregates"),
        ("SELECT T.name, T.name FROM DIGITALTWINS T", "T.name", 2, "duplicate result name 'name'; rename one with AS"),
        ("SELECT T.a.name, S.name FROM DIGITALTWINS T JOIN S RELATED T.x", "S.name", 1, "duplicate result name 'name'; rename one with AS"),
        ("SELECT T.x AS y, T.z AS y FROM DIGITALTWINS T", "y FROM", 1, "duplicate result name 'y'; rename one with AS"),
        ("SELECT T, T.T FROM DIGITALTWINS T", "T.T", 1, "duplicate result name 'T'; rename one with AS"),
        ("SELECT SUM(T.$dtId) FROM DIGITALTWINS T", "T.$dtId", 1, "SUM takes a numeric property"),
        ("SELECT AVG(T) FROM DIGITALTWINS T", "T)", 1, "AVG takes a numeric property"),
        ("SELECT MIN(T) FROM DIGITALTWINS T", "T)", 1, "MIN takes a property"),
        ("SELECT T FROM DIGITALTWINS T ORDER BY T", "BY |T", 1, "ORDER BY takes properties such as T.name or T.$dtId, not collections or $etag"),
        ("SELECT T FROM DIGITALTWINS T ORDER BY T.$etag", "T.$etag", 1, "ORDER BY takes properties such as T.name or T.$dtId, not collections or $etag"),
        ("SELECT T FROM DIGITALTWINS T ORDER BY COUNT()", "COUNT", 1, "ORDER BY an aggregate needs GROUP BY or aggregates in SELECT"),
        ("SELECT T.a, COUNT() FROM DIGITALTWINS T GROUP BY T.a ORDER BY T.b", "T.b", 1, "'T.b' must be in GROUP BY to order grouped results"),
    ])
    func invalid(text: String, marker: String, occurrence: Int, message: String) async throws {
        let position = Self.offset(of: marker, in: text, occurrence: occurrence)
        let expected = QueryError(.invalid, at: position, message: message)
        #expect(throws: expected) { try QueryCompiler.compile(try QueryParser.parse(text), tenant: "default") }
        // The store reports the same error, before touching any row.
        let (store, _) = try StoreFixture.memory()
        await #expect(throws: expected) { try await store.query(text, in: "default") }
    }

    @Test func limitsAreConfigurablePerCall() async throws {
        let (store, _) = try await QueryFixture.graph()
        var limits = QueryLimits()
        limits.maximumJoins = 1
        limits.maximumHops = 2
        limits.maximumInItems = 2
        limits.maximumLogicalOperators = 1
        limits.maximumLength = 80
        let cases: [(String, QueryLimits.Limit)] = [
            ("SELECT C FROM DIGITALTWINS A JOIN B RELATED A.x JOIN C RELATED B.y", .joins),
            ("SELECT a FROM DIGITALTWINS MATCH (a)-[*3]->(b)", .hops),
            ("SELECT * FROM DIGITALTWINS T WHERE T.a IN [1, 2, 3]", .inItems),
            ("SELECT * FROM DIGITALTWINS T WHERE T.a = 1 OR T.b = 2 OR T.c = 3", .logicalOperators),
            ("SELECT * FROM DIGITALTWINS T WHERE T.a = 1" + String(repeating: " ", count: 60), .length),
        ]
        for (text, limit) in cases {
            #expect(await QueryFixture.error { try await store.query(text, in: QueryFixture.tenant, limits: limits) }?.kind == .limitExceeded(limit), "\(text)")
            _ = try await store.query(text, in: QueryFixture.tenant)
        }
    }
}
