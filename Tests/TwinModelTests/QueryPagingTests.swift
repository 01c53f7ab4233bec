import Foundation
import Testing
@testable import TwinModel

/// Pages of 100 with continuation tokens, `TOP` across pages, and tokens used where they do not belong.
@Suite("Query paging")
struct QueryPagingTests {
    let tenant = QueryFixture.tenant
    let points = "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1')"

    /// The graph plus 250 points `p-000`…`p-249` with `n` = their number.
    func store() async throws -> TwinStore {
        let (store, _) = try await QueryFixture.graph()
        for n in 0..<250 {
            let id = "p-" + String(repeating: "0", count: 3 - String(n).count) + String(n)
            try await store.putTwin(id, model: "dtmi:test:Point;1", properties: ["n": .int(Int64(n))], in: tenant, changedBy: "test")
        }
        return store
    }

    func ids(_ page: QueryPage) -> [String] {
        page.items.map { $0["$dtId"]?.stringValue ?? "?" }
    }

    func point(_ n: Int) -> String {
        "p-" + String(repeating: "0", count: 3 - String(n).count) + String(n)
    }

    @Test func pagesOfOneHundred() async throws {
        let store = try await store()
        let first = try await store.query(points, in: tenant)
        #expect(ids(first) == (0..<100).map(point))
        let token1 = try #require(first.continuationToken)
        let second = try await store.query(points, in: tenant, continuationToken: token1)
        #expect(ids(second) == (100..<200).map(point))
        let token2 = try #require(second.continuationToken)
        let third = try await store.query(points, in: tenant, continuationToken: token2)
        #expect(ids(third) == (200..<250).map(point))
        #expect(third.continuationToken == nil)
        // A token may be used again: it names a position, not a cursor.
        #expect(try await store.query(points, in: tenant, continuationToken: token1) == second)

        let descending = try await QueryFixture.ids(
            "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1') ORDER BY T.n DESC", in: store)
        #expect(descending == (0..<250).reversed().map(point))
        #expect(try await QueryFixture.all("SELECT COUNT() FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1')", in: store) == [["COUNT": 250]])
        // Exactly one page's worth: no token.
        let hundred = try await store.query("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.n < 100", in: tenant)
        #expect(hundred.items.count == 100)
        #expect(hundred.continuationToken == nil)
    }

    @Test func topAcrossPages() async throws {
        let store = try await store()
        let top = "SELECT TOP(150) T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1')"
        let first = try await store.query(top, in: tenant)
        #expect(ids(first) == (0..<100).map(point))
        let second = try await store.query(top, in: tenant, continuationToken: try #require(first.continuationToken))
        #expect(ids(second) == (100..<150).map(point))
        #expect(second.continuationToken == nil)
        let exact = try await store.query("SELECT TOP(100) T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1')", in: tenant)
        #expect(exact.items.count == 100)
        #expect(exact.continuationToken == nil)
        #expect(try await QueryFixture.ids("SELECT TOP(250) T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Point;1')", in: store) == (0..<250).map(point))
    }

    @Test func configuredPageSize() async throws {
        let (store, _) = try await QueryFixture.graph()
        var limits = QueryLimits()
        limits.pageSize = 4
        let text = "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1')"
        let first = try await store.query(text, in: tenant, limits: limits)
        // By model, then creation: Building, Level, MeetingRoom, Room, Site.
        #expect(ids(first) == ["b1", "b2", "b1-l1", "b1-l2"])
        let paged = try await QueryFixture.all(text, in: store, limits: limits)
        #expect(paged == (try await QueryFixture.all(text, in: store)))
        #expect(paged.count == 10)
        let grouped = "SELECT T.$metadata.$model AS m, COUNT() AS n FROM DIGITALTWINS T GROUP BY T.$metadata.$model"
        #expect(try await QueryFixture.all(grouped, in: store, limits: limits) == (try await QueryFixture.all(grouped, in: store)))
        let matched = "SELECT a.$dtId AS a, b.$dtId AS b FROM DIGITALTWINS MATCH (a)-[:hasPart*..3]->(b)"
        let all = try await QueryFixture.all(matched, in: store, limits: limits)
        #expect(all == (try await QueryFixture.all(matched, in: store)))
        #expect(all.count == 20)
    }

    @Test func readsSeeWritesBetweenPages() async throws {
        let store = try await store()
        let first = try await store.query(points, in: tenant)
        try await store.putTwin("p-250", model: "dtmi:test:Point;1", properties: ["n": 250], in: tenant, changedBy: "test")
        let second = try await store.query(points, in: tenant, continuationToken: first.continuationToken)
        let third = try await store.query(points, in: tenant, continuationToken: second.continuationToken)
        #expect(ids(third) == (200...250).map(point))
    }

    @Test func tokenMisuse() async throws {
        let store = try await store()
        let token = try #require(try await store.query(points, in: tenant).continuationToken)
        let other = "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1')"
        let foreign = QueryError(.continuationToken, at: 0, message: "the continuation token belongs to another query; send the query it came with")
        let malformed = QueryError(.continuationToken, at: 0, message: "the continuation token is malformed")
        #expect(await QueryFixture.error { try await store.query(other, in: tenant, continuationToken: token) } == foreign)
        // The same text in another tenant is another query.
        #expect(await QueryFixture.error { try await store.query(points, in: QueryFixture.other, continuationToken: token) } == foreign)
        // A single space makes another query.
        #expect(await QueryFixture.error { try await store.query(points + " ", in: tenant, continuationToken: token) } == foreign)
        for bad in [
            "", "abc", "!!!!", Data("{}".utf8).base64EncodedString(), Data("[1]".utf8).base64EncodedString(),
            Data(#"{"v":1,"offset":-5,"query":"x"}"#.utf8).base64EncodedString(),
            Data(#"{"v":1,"offset":"1; DROP TABLE twin","query":"x"}"#.utf8).base64EncodedString(),
            Data(#"{"v":2,"offset":100,"query":"x"}"#.utf8).base64EncodedString(),
            String(token.dropLast(4)),
        ] {
            #expect(await QueryFixture.error { try await store.query(points, in: tenant, continuationToken: bad) } == malformed, "token \(bad)")
        }
        // A token past the end gives an empty last page.
        let decoded = try JSONValue(parsing: [UInt8](try #require(Data(base64Encoded: token))))
        let fingerprint = try #require(decoded["query"]?.stringValue)
        let past = QueryContinuation.token(offset: 1_000, fingerprint: fingerprint)
        #expect(try await store.query(points, in: tenant, continuationToken: past) == QueryPage(items: [], continuationToken: nil))
    }
}
