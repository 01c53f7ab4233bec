import Testing
@testable import TwinModel

@Suite("Query deadlines")
struct QueryDeadlineTests {
    @Test func aRunawayQueryIsStoppedWithAClearError() async throws {
        var shape = PortfolioGenerator.Shape(sites: 1, buildingsPerSite: 2)
        shape.levelsPerBuilding = 4
        shape.roomsPerLevel = 10
        let (store, _) = try StoreFixture.memory()
        try await store.importGraph(PortfolioGenerator(shape: shape, seed: 1).generate(), in: StoreFixture.tenant, changedBy: "t")
        var limits = QueryLimits()
        limits.maximumDuration = 0
        let text = "SELECT COUNT() FROM DIGITALTWINS MATCH (a)-[*..4]-(b)"
        do {
            _ = try await store.query(text, in: StoreFixture.tenant, limits: limits)
            Issue.record("the query was expected to be stopped")
        } catch let error as QueryError {
            #expect(error.kind == .limitExceeded(.duration))
            #expect(error.description.contains("ran longer than 0.0 s"))
        }
        // The reader is usable again, and the same query runs under the default limit.
        let page = try await store.query("SELECT COUNT() FROM DIGITALTWINS T", in: StoreFixture.tenant)
        #expect(page.items == [["COUNT": .int(Int64(shape.twinCount))]])
    }
}
