import ArgumentParser
import Foundation
import Logging
import TwinModel

/// `doppel bench query`: latency of the graph query language on a generated portfolio.
///
/// Each query runs through the whole path a request takes — parse, plan, SQL, JSON results — on the
/// store of `--data`, which `doppel sim portfolio` fills.
struct BenchQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Measure query latency (median, p99) on a portfolio made by 'doppel sim portfolio'."
    )

    @Option(help: "Data directory holding a generated portfolio.")
    var data: String

    @Option(help: "Timed runs of each query.")
    var iterations = 200

    @Option(help: "Untimed runs of each query first.")
    var warmup = 20

    @Option(help: "Tenant the portfolio is in.")
    var tenant = TwinStore.defaultTenant

    @Option(help: "Results per page; the default holds every result of these queries in one page, as Kuzu returns them.")
    var pageSize = 1000

    @Option(help: "Run only the queries whose name contains this text.")
    var filter: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard pageSize >= 1 else { throw ValidationError("--page-size must be at least 1") }
    }

    func run() async throws {
        let store = try DataDirectory.openStore(data, label: "doppel.bench")
        var limits = QueryLimits()
        limits.pageSize = pageSize
        var results: [JSONValue] = []
        for benchmark in QueryBenchmark.standard where filter.map(benchmark.name.contains) ?? true {
            var rows = 0
            for _ in 0..<warmup { rows = try await benchmark.run(on: store, tenant: tenant, limits: limits) }
            var samples: [Double] = []
            samples.reserveCapacity(iterations)
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                _ = try await benchmark.run(on: store, tenant: tenant, limits: limits)
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            samples.sort()
            let result: JSONValue = [
                "name": .string(benchmark.name),
                "query": .string(benchmark.query),
                "rows": .int(Int64(rows)),
                "iterations": .int(Int64(iterations)),
                "pageSize": .int(Int64(pageSize)),
                "medianMs": .double(Self.percentile(samples, 0.5)),
                "p99Ms": .double(Self.percentile(samples, 0.99)),
            ]
            results.append(result)
            if !json {
                print(
                    "\(benchmark.name.padding(toLength: 30, withPad: " ", startingAt: 0)) rows \(String(rows).padding(toLength: 6, withPad: " ", startingAt: 0)) "
                        + "median \(String(format: "%8.3f", Self.percentile(samples, 0.5))) ms  p99 \(String(format: "%8.3f", Self.percentile(samples, 0.99))) ms")
            }
        }
        if json { print(JSONValue.object(["benchmark": "query", "results": .array(results)]).description) }
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

/// One measured query; the anchors are ids `doppel sim portfolio` always generates.
struct QueryBenchmark {
    var name: String
    var query: String

    /// The shapes the design's budgets name: point lookups, anchored 1–3 hops, aggregates, 10 hops.
    static let standard = [
        QueryBenchmark(name: "point lookup", query: "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 's0-b0-l5-r7-x0'"),
        QueryBenchmark(
            name: "level sensors > 30 (2 hops)",
            query: """
                SELECT S FROM DIGITALTWINS MATCH (L)-[:hasPart]->(R)-[:isLocationOf]->(S) \
                WHERE L.$dtId = 's0-b0-l5' AND S.reported.temperature > 30
                """),
        QueryBenchmark(
            name: "building hot sensors (3 hops)",
            query: """
                SELECT S.$dtId FROM DIGITALTWINS MATCH (B)-[:hasPart]->(L)-[:hasPart]->(R)-[:isLocationOf]->(S) \
                WHERE B.$dtId = 's0-b0' AND S.reported.temperature > 30
                """),
        QueryBenchmark(
            name: "devices per building",
            query: """
                SELECT B.$dtId AS building, S.$metadata.$model AS model, COUNT() AS devices \
                FROM DIGITALTWINS MATCH (C)-[:includes]->(B)-[:hasPart]->(L)-[:hasPart]->(R)-[:isLocationOf]->(S) \
                WHERE C.$dtId = 's0' GROUP BY B.$dtId, S.$metadata.$model
                """),
        QueryBenchmark(
            name: "10-hop meter chain",
            query: "SELECT M.$dtId FROM DIGITALTWINS MATCH (B)-[:isLocationOf|feeds*10]->(M) WHERE B.$dtId = 's0-b0'"),
    ]

    /// Runs the query to its last page; returns the number of result rows.
    func run(on store: TwinStore, tenant: String, limits: QueryLimits) async throws -> Int {
        var rows = 0
        var continuation: String?
        repeat {
            let page = try await store.query(query, in: tenant, continuationToken: continuation, limits: limits)
            rows += page.items.count
            continuation = page.continuationToken
        } while continuation != nil
        return rows
    }
}
