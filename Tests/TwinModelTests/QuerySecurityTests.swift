import GRDB
import Testing
@testable import TwinModel

/// Tenants never see each other's twins, relationships or models, and query text never becomes SQL.
@Suite("Query security")
struct QuerySecurityTests {
    let tenant = QueryFixture.tenant
    let other = QueryFixture.other

    @Test func tenantIsolation() async throws {
        let (store, _) = try await QueryFixture.graph()
        let here = { (text: String) in try await QueryFixture.all(text, in: store) }
        let there = { (text: String) in try await QueryFixture.all(text, in: store, tenant: QueryFixture.other) }
        #expect(try await here("SELECT COUNT() FROM DIGITALTWINS") == [["COUNT": 15]])
        #expect(try await there("SELECT COUNT() FROM DIGITALTWINS") == [["COUNT": 2]])
        #expect(try await QueryFixture.all("SELECT COUNT() FROM DIGITALTWINS", in: store, tenant: "nobody") == [["COUNT": 0]])
        #expect(try await here("SELECT T.name FROM DIGITALTWINS T WHERE T.$dtId = 'b1'") == [["name": "North"]])
        #expect(try await there("SELECT T.name FROM DIGITALTWINS T WHERE T.$dtId = 'b1'") == [["name": "Foreign"]])
        #expect(try await here("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.name IN ['Foreign', 'Elsewhere'] OR T.capacity = 99") == [])
        #expect(try await here("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE a.$dtId = 'b1'") == [["$dtId": "b1-l1"], ["$dtId": "b1-l2"]])
        #expect(try await there("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE a.$dtId = 'b1'") == [["$dtId": "x1"]])
        #expect(try await there("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[*..10]-(b) WHERE a.$dtId = 'b1'") == [["$dtId": "b1"], ["$dtId": "x1"]])
        #expect(try await there("SELECT L.$dtId FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1'") == [["$dtId": "x1"]])
        // Models too: here Building extends Space, there it does not.
        #expect(try await here("SELECT COUNT() FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1')") == [["COUNT": 10]])
        #expect(try await there("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1')") == [["$dtId": "x1"]])
    }

    @Test func tenantIsolationHoldsAgainstCorruptRows() async throws {
        // Rows the store would never write: a relationship of the other tenant between this tenant's twins,
        // and one of this tenant pointing into the other. Every table in the statement carries the tenant.
        let (store, queue) = try await QueryFixture.graph()
        try await queue.write { db in
            let b1 = try Int64.fetchOne(db, sql: "SELECT pk FROM twin WHERE tenant = ? AND id = 'b1'", arguments: [tenant])!
            let b2 = try Int64.fetchOne(db, sql: "SELECT pk FROM twin WHERE tenant = ? AND id = 'b2'", arguments: [tenant])!
            let x1 = try Int64.fetchOne(db, sql: "SELECT pk FROM twin WHERE tenant = ? AND id = 'x1'", arguments: [other])!
            try db.execute(
                sql: "INSERT INTO relationship (tenant, source, id, target, name, properties, version, created_at) VALUES (?, ?, 'bad1', ?, 'hasPart', '{}', 1, 0), (?, ?, 'bad2', ?, 'hasPart', '{}', 1, 0)",
                arguments: [other, b1, b2, tenant, b1, x1])
        }
        for text in [
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE a.$dtId = 'b1'",
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*1]->(b) WHERE a.$dtId = 'b1'",
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*..1]->(b) WHERE a.$dtId = 'b1'",
            "SELECT L.$dtId FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1'",
        ] {
            #expect(try await QueryFixture.ids(text, in: store) == ["b1-l1", "b1-l2"], "\(text)")
        }
        #expect(try await QueryFixture.ids("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*2]->(b) WHERE a.$dtId = 'b1'", in: store) == ["b1-l1-r1", "b1-l1-r2", "b1-l2-r1"])
        #expect(try await QueryFixture.ids("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*2]-(b) WHERE a.$dtId = 'b1-l1'", in: store) == ["site", "b1-l1", "b1-l2"])
    }

    @Test func injectionAttemptsMatchNothingOrFail() async throws {
        let (store, queue) = try await QueryFixture.graph()
        let before = try await queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master ORDER BY name") }
        let nothing = [
            #"SELECT * FROM DIGITALTWINS T WHERE T.$dtId = '\'; DROP TABLE twin; --'"#,
            #"SELECT * FROM DIGITALTWINS T WHERE T.$dtId = "'; DROP TABLE twin; --""#,
            #"SELECT * FROM DIGITALTWINS T WHERE T.name = '\' OR \'1\'=\'1'"#,
            #"SELECT * FROM DIGITALTWINS T WHERE T.name IN ['x\') OR 1=1 --', '"; DELETE FROM twin']"#,
            #"SELECT * FROM DIGITALTWINS T WHERE T['x\') OR 1=1 --'] = 1"#,
            #"SELECT * FROM DIGITALTWINS T WHERE T['a]'].b['[0]'] = 1 OR T['$dtId'] = 'b1' OR T['*'] = 1"#,
            #"SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL('x\') OR 1=1 --')"#,
            #"SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, '%') OR CONTAINS(T.name, '%') OR ENDSWITH(T.name, '_')"#,
            #"SELECT b FROM DIGITALTWINS MATCH (a)-[:x]->(b) WHERE a.$dtId = 'b1'"#,
        ]
        for text in nothing {
            #expect(try await QueryFixture.all(text, in: store) == [], "\(text)")
        }
        let refused = [
            "SELECT * FROM DIGITALTWINS T; DROP TABLE twin",
            "SELECT * FROM DIGITALTWINS T WHERE T.name = 'x'; DELETE FROM twin",
            "SELECT * FROM DIGITALTWINS T WHERE T.name = 'x' -- AND T.$dtId = 'y'",
            "SELECT * FROM DIGITALTWINS T WHERE T.name = 'x'' OR 1=1 --'",
            "SELECT * FROM DIGITALTWINS T) UNION SELECT * FROM access_token --",
            #"SELECT * FROM DIGITALTWINS T WHERE T['a"] = 1 OR 1=1 --'] = 1"#,
            #"SELECT * FROM DIGITALTWINS T WHERE T.odd["\""] = 1"#,
            "SELECT * FROM DIGITALTWINS `T` WHERE 1 = 1",
            "SELECT * FROM DIGITALTWINS [T] WHERE 1 = 1",
            "SELECT * FROM DIGITALTWINS T JOIN X RELATED T.hasPart OR 1=1",
            "SELECT * FROM DIGITALTWINS MATCH (a)-[:'x']->(b)",
            "SELECT * FROM DIGITALTWINS T WHERE T./**/name = 'x'",
            // SQLite would end bound text at U+0000, so 'b1\u0000' would match b1.
            #"SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'b1\u0000'"#,
            "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'b1\u{0}'",
        ]
        for text in refused {
            _ = await QueryFixture.error { try await store.query(text, in: tenant) }
        }
        // User aliases never reach SQL, even when they look like the generated ones or like table names.
        #expect(
            try await QueryFixture.all("SELECT r0.$dtId AS a, t0.$dtId AS b FROM DIGITALTWINS r0 JOIN t0 RELATED r0.hasPart WHERE r0.$dtId = 'b1'", in: store)
                == [["a": "b1", "b": "b1-l1"], ["a": "b1", "b": "b1-l2"]])
        #expect(try await QueryFixture.all("SELECT twin.name FROM DIGITALTWINS twin WHERE twin.$dtId = 'b1'", in: store) == [["name": "North"]])
        #expect(try await QueryFixture.all("SELECT relationship.$dtId FROM DIGITALTWINS MATCH (relationship)-[tenant:hasPart]->(pk) WHERE pk.$dtId = 'b2'", in: store) == [["$dtId": "site"]])

        let after = try await queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master ORDER BY name") }
        #expect(after == before)
        #expect(try await store.twinCount(in: tenant) == 15)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 28)
    }

    @Test func userTextOnlyReachesSQLAsArguments() throws {
        let text = """
            SELECT MyAlias['evil\\') OR 1=1'] AS EvilName, COUNT() AS EvilCount FROM DIGITALTWINS MyAlias JOIN Other RELATED MyAlias.evilRelationship EvilRel \
            WHERE MyAlias.$dtId = 'DROPME' AND IS_OF_MODEL(MyAlias, 'dtmi:evil;1') AND EvilRel.evilProperty IN ['EVILITEM'] \
            AND STARTSWITH(Other.name, 'EVILPREFIX') GROUP BY MyAlias['evil\\') OR 1=1'] ORDER BY EvilCount
            """
        let compiled = try QueryCompiler.compile(try QueryParser.parse(text), tenant: "EVILTENANT", subtypes: ["dtmi:evil;1": ["dtmi:evil;1", "dtmi:evil2;1"]])
        let sql = compiled.statement.sql
        for fragment in ["evil", "Evil", "DROPME", "EVIL", "MyAlias", "Other", "OR 1=1"] {
            #expect(!sql.contains(fragment), "\(fragment) in \(sql)")
        }
        // The only quoted strings in the SQL are the compiler's own type names.
        let quoted = sql.split(separator: "'", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(Set(quoted).isSubset(of: ["", "integer", "real", "text", "true", "false", "null", "object", "array"]), "\(quoted)")
        let arguments = compiled.statement.arguments.compactMap { String.fromDatabaseValue($0) }
        for expected in ["EVILTENANT", "DROPME", "dtmi:evil;1", "dtmi:evil2;1", "EVILITEM", "EVILPREFIX", "evilRelationship", #"$."evil') OR 1=1""#] {
            #expect(arguments.contains(expected), "\(expected) not bound")
        }
    }
}
