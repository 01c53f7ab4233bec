import Testing
@testable import TwinModel

/// Every syntax error and grammar-level limit, with its exact position and message.
@Suite("Query parser errors")
struct QueryParserErrorTests {
    func error(_ text: String, limits: QueryLimits = .standard, sourceLocation: SourceLocation = #_sourceLocation) -> QueryError? {
        do {
            let query = try QueryParser.parse(text, limits: limits)
            Issue.record("parsed as \(query)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("", 0, "'SELECT'", "expected 'SELECT', found end of query"),
        ("DELETE FROM DIGITALTWINS", 0, "'SELECT'", "expected 'SELECT', found 'DELETE'"),
        ("SELECT", 6, "'*', a collection, a property or an aggregate", "expected '*', a collection, a property or an aggregate, found end of query"),
        ("SELECT *, T FROM DIGITALTWINS T", 8, "'FROM'", "expected 'FROM', found ','"),
        ("SELECT * FROM", 13, "'DIGITALTWINS'", "expected 'DIGITALTWINS', found end of query"),
        ("SELECT * FROM TWINS", 14, "'DIGITALTWINS'", "expected 'DIGITALTWINS', found 'TWINS'"),
        ("SELECT TOP 5 * FROM DIGITALTWINS", 11, "'('", "expected '(', found number 5"),
        ("SELECT TOP(x) * FROM DIGITALTWINS", 11, "a positive integer", "expected a positive integer, found 'x'"),
        ("SELECT T.x AS FROM DIGITALTWINS T", 14, "a name after AS", "expected a name after AS, found 'FROM'"),
        ("SELECT COUNT(T.x) FROM DIGITALTWINS T", 13, "')'", "COUNT takes no argument: expected ')', found 'T'"),
        ("SELECT SUM() FROM DIGITALTWINS T", 11, "a property", "expected a property, found ')'"),
        ("SELECT * FROM DIGITALTWINS T T2", 29, "'JOIN', 'WHERE', 'GROUP BY', 'ORDER BY' or end of query",
         "expected 'JOIN', 'WHERE', 'GROUP BY', 'ORDER BY' or end of query, found 'T2'"),
        ("SELECT * FROM DIGITALTWINS T WHERE", 34, "a value", "expected a value, found end of query"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x =", 40, "a value", "expected a value, found end of query"),
        ("SELECT * FROM DIGITALTWINS T WHERE (T.x = 1", 43, "'AND', 'OR' or ')'", "expected 'AND', 'OR' or ')', found end of query"),
        ("SELECT * FROM DIGITALTWINS T WHERE (T.x", 39, "an operator or ')'", "expected an operator or ')', found end of query"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 'a' 'b'", 45, "'AND', 'OR', 'GROUP BY', 'ORDER BY' or end of query",
         "expected 'AND', 'OR', 'GROUP BY', 'ORDER BY' or end of query, found string 'b'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 1 -- comment", 43, "'AND', 'OR', 'GROUP BY', 'ORDER BY' or end of query",
         "expected 'AND', 'OR', 'GROUP BY', 'ORDER BY' or end of query, found '-'"),
        ("SELECT * FROM DIGITALTWINS T ORDER BY T.x DESC T.y", 47, "',' or end of query", "expected ',' or end of query, found 'T'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 1 GROUP T.x", 49, "'BY'", "expected 'BY', found 'T'"),
        ("SELECT * FROM DIGITALTWINS T GROUP BY T.x T.y", 42, "',', 'ORDER BY' or end of query", "expected ',', 'ORDER BY' or end of query, found 'T'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.$ = 1", 38, "a name after '$'", "expected a name after '$', found U+20"),
        ("SELECT * FROM DIGITALTWINS T WHERE T. = 1", 38, "a property name", "expected a property name, found '='"),
        ("SELECT * FROM DIGITALTWINS T WHERE T[1] = 1", 37, "a quoted property name", "expected a quoted property name, found number 1"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x IN 'a'", 42, "'['", "expected '[', found string 'a'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x IN ['a' 'b']", 47, "',' or ']'", "expected ',' or ']', found string 'b'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x IN [T.y]", 43, "a literal", "expected a literal, found 'T'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = -'a'", 42, "a number after '-'", "expected a number after '-', found string 'a'"),
        ("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.x)", 49, "','", "expected ',', found ')'"),
        ("SELECT * FROM DIGITALTWINS T WHERE IS_DEFINED(T.x, T.y)", 49, "')'", "expected ')', found ','"),
        ("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T)", 48, "','", "expected ',', found ')'"),
        ("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL('m', loose)", 52, "'exact'", "expected 'exact', found 'loose'"),
        ("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(5)", 47, "a collection or a model id string", "expected a collection or a model id string, found number 5"),
        ("SELECT * FROM DIGITALTWINS T JOIN X T.x", 36, "'RELATED'", "expected 'RELATED', found 'T'"),
        ("SELECT * FROM DIGITALTWINS T JOIN X RELATED T", 45, "'.'", "expected '.', found end of query"),
        ("SELECT * FROM DIGITALTWINS T JOIN WHERE RELATED T.x", 34, "a collection alias", "expected a collection alias, found 'WHERE'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a", 35, "')'", "expected ')', found end of query"),
        ("SELECT * FROM DIGITALTWINS MATCH (a b)", 36, "')'", "expected ')', found 'b'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)--(b)", 37, "'['", "expected '[', found '-'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[x]", 40, "'-'", "expected '-', found end of query"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*]->(b)", 39, "a hop count", "expected a hop count, found ']'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[:x|]->(b)", 41, "a relationship name", "expected a relationship name, found ']'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[:x y]->(b)", 41, "'|', '*' or ']'", "expected '|', '*' or ']', found 'y'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[r y]->(b)", 40, "':', '*' or ']'", "expected ':', '*' or ']', found 'y'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*2 x]->(b)", 41, "']'", "expected ']', found 'x'"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[]->(b) (c)", 45, "an edge, 'WHERE', 'GROUP BY', 'ORDER BY' or end of query",
         "expected an edge, 'WHERE', 'GROUP BY', 'ORDER BY' or end of query, found '('"),
    ])
    func syntaxError(text: String, position: Int, expected: String, message: String) {
        let error = error(text)
        #expect(error == QueryError(.syntax, at: position, expected: expected, message: message))
        #expect(error?.description == "at position \(position): \(message)")
    }

    @Test(arguments: [
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 'abc", 41, "unterminated string"),
        (#"SELECT * FROM DIGITALTWINS T WHERE T.x = 'a\qb'"#, 43, #"invalid escape sequence '\q'"#),
        (#"SELECT * FROM DIGITALTWINS T WHERE T.x = '\u12'"#, 42, #"invalid escape sequence: \u needs four hex digits"#),
        (#"SELECT * FROM DIGITALTWINS T WHERE T.x = '\ud800'"#, 42, #"unpaired surrogate in \u escape"#),
        (#"SELECT * FROM DIGITALTWINS T WHERE T.x = 'a\u0000'"#, 43, "strings may not contain U+0000"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 'ab\u{0}'", 44, "strings may not contain U+0000"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 1\u{0}", 42, "unexpected character U+0"),
        ("SELECT * FROM DIGITALTWINS; DROP TABLE twin", 26, "unexpected character ';'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = #1", 41, "unexpected character '#'"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 1e", 42, "unexpected character 'e' in a number"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 12abc", 43, "unexpected character 'a' in a number"),
        ("SELECT * FROM DIGITALTWINS T WHERE T.x = 1e999", 41, "number 1e999 is out of range"),
    ])
    func lexicalError(text: String, position: Int, message: String) {
        let error = error(text)
        #expect(error?.kind == .syntax)
        #expect(error?.position == position)
        #expect(error?.message == message)
    }

    @Test(arguments: [
        ("SELECT TOP(0) * FROM DIGITALTWINS", 11, "TOP needs a count from 1 to 2147483647"),
        ("SELECT * FROM DIGITALTWINS T WHERE FOO(T.x)", 35, "unknown function 'FOO'"),
        ("SELECT * FROM DIGITALTWINS JOIN X RELATED T.x", 27, "JOIN needs the collection to have an alias: FROM DIGITALTWINS T JOIN …"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[r:x*2]->(b)", 41, "a relationship variable is only allowed on a single-hop edge"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*3..3]->(b)", 39, "the hop range *3..3 is empty: it means more than 3 and at most 3 hops"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*2..1]->(b)", 39, "the hop range *2..1 is empty: it means more than 2 and at most 1 hops"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*0]->(b)", 39, "a hop count must be at least 1"),
        ("SELECT * FROM DIGITALTWINS MATCH (a)-[*..0]->(b)", 41, "a hop range needs an upper bound of at least 1"),
    ])
    func grammarError(text: String, position: Int, message: String) {
        #expect(error(text) == QueryError(.invalid, at: position, message: message))
    }

    /// `count` comparisons joined by AND.
    func conjunction(_ count: Int) -> String {
        "SELECT * FROM DIGITALTWINS T WHERE " + (0..<count).map { "T.a = \($0)" }.joined(separator: " AND ")
    }

    @Test func lengthLimit() throws {
        let padding = String(repeating: " ", count: 8_000 - 26)
        _ = try QueryParser.parse("SELECT * FROM DIGITALTWINS" + padding)
        let error = error("SELECT * FROM DIGITALTWINS" + padding + " ")
        #expect(error == QueryError(.limitExceeded(.length), at: 8_000, message: "the query is 8001 code points long; the limit maximumLength is 8000"))
        // Code points, not bytes: 8,000 four-byte emoji in a string are within the limit.
        let emoji = "SELECT * FROM DIGITALTWINS T WHERE T.a = '" + String(repeating: "😀", count: 8_000 - 44) + "'"
        _ = try QueryParser.parse(emoji)
    }

    @Test func logicalOperatorLimit() throws {
        _ = try QueryParser.parse(conjunction(51))
        let text = conjunction(52)
        let lastAnd = text.ranges(of: " AND ").last!.lowerBound
        let position = text.unicodeScalars.distance(from: text.startIndex, to: lastAnd) + 1
        #expect(error(text) == QueryError(.limitExceeded(.logicalOperators), at: position, message: "too many AND/OR operators; the limit maximumLogicalOperators is 50"))
        let ors = "SELECT * FROM DIGITALTWINS T WHERE T.a = 0" + String(repeating: " OR T.a = 1", count: 51)
        #expect(error(ors)?.kind == .limitExceeded(.logicalOperators))
        var limits = QueryLimits()
        limits.maximumLogicalOperators = 1
        #expect(error(conjunction(3), limits: limits)?.kind == .limitExceeded(.logicalOperators))
        _ = try QueryParser.parse(conjunction(2), limits: limits)
    }

    @Test func inItemLimit() throws {
        func list(_ count: Int) -> String {
            "SELECT * FROM DIGITALTWINS T WHERE T.a NIN [" + (0..<count).map(String.init).joined(separator: ", ") + "]"
        }
        _ = try QueryParser.parse(list(50))
        let text = list(51)
        #expect(error(text) == QueryError(.limitExceeded(.inItems), at: text.count - 3, message: "too many items in an IN/NIN list; the limit maximumInItems is 50"))
    }

    @Test func joinLimit() throws {
        func joins(_ count: Int) -> String {
            "SELECT * FROM DIGITALTWINS T0" + (1...count).map { " JOIN T\($0) RELATED T\($0 - 1).x" }.joined()
        }
        _ = try QueryParser.parse(joins(5))
        let text = joins(6)
        let position = text.count - " JOIN T6 RELATED T5.x".count + 1
        #expect(error(text) == QueryError(.limitExceeded(.joins), at: position, message: "too many joins; the limit maximumJoins is 5"))
        let match = "SELECT * FROM DIGITALTWINS MATCH (a)" + String(repeating: "-[]->()", count: 6)
        #expect(error(match) == QueryError(.limitExceeded(.joins), at: match.count - 7, message: "too many joins; the limit maximumJoins is 5"))
        _ = try QueryParser.parse("SELECT * FROM DIGITALTWINS MATCH (a)" + String(repeating: "-[]->()", count: 5))
    }

    @Test func hopLimit() throws {
        _ = try QueryParser.parse("SELECT * FROM DIGITALTWINS MATCH (a)-[*..10]->(b)")
        _ = try QueryParser.parse("SELECT * FROM DIGITALTWINS MATCH (a)-[*9..10]->(b)")
        _ = try QueryParser.parse("SELECT * FROM DIGITALTWINS MATCH (a)-[*..5]->(b)-[*5]->(c)")
        let message = "too many hops in the MATCH pattern; the limit maximumHops is 10"
        #expect(error("SELECT * FROM DIGITALTWINS MATCH (a)-[*..11]->(b)") == QueryError(.limitExceeded(.hops), at: 36, message: message))
        #expect(error("SELECT * FROM DIGITALTWINS MATCH (a)-[*99999999999]->(b)") == QueryError(.limitExceeded(.hops), at: 36, message: message))
        #expect(error("SELECT * FROM DIGITALTWINS MATCH (a)-[*..5]->(b)-[*2..6]->(c)") == QueryError(.limitExceeded(.hops), at: 48, message: message))
    }

    @Test func nestingLimit() throws {
        func nested(_ depth: Int) -> String {
            "SELECT * FROM DIGITALTWINS T WHERE " + String(repeating: "(", count: depth) + "T.a = 1" + String(repeating: ")", count: depth)
        }
        _ = try QueryParser.parse(nested(64))
        #expect(error(nested(65)) == QueryError(.limitExceeded(.nesting), at: 35 + 64, message: "conditions nested too deeply; the limit maximumNesting is 64"))
        let nots = "SELECT * FROM DIGITALTWINS T WHERE " + String(repeating: "NOT ", count: 65) + "T.a"
        #expect(error(nots) == QueryError(.limitExceeded(.nesting), at: 35 + 64 * 4, message: "conditions nested too deeply; the limit maximumNesting is 64"))
        // Deep input fails cleanly instead of exhausting the stack.
        #expect(error(nested(3_000))?.kind == .limitExceeded(.nesting))
    }
}
