import GRDB
import Logging

/// One page of query results.
public struct QueryPage: Sendable, Equatable {
    /// Result items in Azure Digital Twins' shape.
    public var items: [JSONValue]
    /// Pass it back with the same query for the next page; `nil` on the last page.
    public var continuationToken: String?

    public init(items: [JSONValue], continuationToken: String? = nil) {
        self.items = items
        self.continuationToken = continuationToken
    }
}

extension TwinStore {
    /// Runs a query in the ADT query language (with Doppel's `GROUP BY` and `ORDER BY`) over one tenant.
    ///
    /// Reads see every write committed before the call. Pages hold `limits.pageSize` items; the
    /// continuation token of one page fetches the next and is refused with any other query.
    ///
    /// - Throws: `QueryError` for a query that does not parse, compile or fit `limits`, or a bad token.
    public func query(_ text: String, in tenant: String, continuationToken: String? = nil, limits: QueryLimits = .init()) async throws -> QueryPage {
        let query = try QueryParser.parse(text, limits: limits)
        let fingerprint = QueryContinuation.fingerprint(of: text, tenant: tenant)
        let offset = try continuationToken.map { (token) throws(QueryError) in try QueryContinuation.offset(of: token, fingerprint: fingerprint) } ?? 0
        let pageSize = max(1, limits.pageSize)
        let logger = logger
        let shapes = statementShapes
        return try await writer.read { db in
            let compiled = try Self.compile(query, tenant: tenant, in: db)
            let want = min(pageSize, (compiled.top ?? Int.max) - offset)
            guard want > 0 else { return QueryPage(items: []) }
            logger.trace("query", metadata: ["query.sql": "\(compiled.statement.sql)", "query.offset": "\(offset)"])
            let statement = try shapes.statement(compiled.statement.sql + " LIMIT ? OFFSET ?", in: db)
            let arguments = StatementArguments(compiled.statement.arguments + [(want + 1).databaseValue, offset.databaseValue])
            var items: [JSONValue] = []
            items.reserveCapacity(want)
            var more = false
            do {
                try QueryDeadline.run(seconds: limits.maximumDuration, on: db) {
                    let rows = try Row.fetchCursor(statement, arguments: arguments)
                    while let row = try rows.next() {
                        guard items.count < want else {
                            more = true
                            break
                        }
                        items.append(try compiled.item(from: row))
                    }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
                throw QueryError(
                    .limitExceeded(.duration), at: 0,
                    message: "the query ran longer than \(limits.maximumDuration) s and was stopped; anchor it (e.g. WHERE T.$dtId = …) or narrow it")
            }
            if let top = compiled.top, offset + want >= top { more = false }
            return QueryPage(items: items, continuationToken: more ? QueryContinuation.token(offset: offset + want, fingerprint: fingerprint) : nil)
        }
    }

    /// The compiled statement, its model subtypes read in the same transaction as the query runs in.
    static func compile(_ query: Query, tenant: String, in db: Database) throws -> CompiledQuery {
        let subtypes = try ModelHierarchy.subtypes(of: query.modelReferences, tenant: tenant, in: db)
        return try QueryCompiler.compile(query, tenant: tenant, subtypes: subtypes)
    }

    /// SQLite's plan for a query, one line per step: for tests and benchmarks to check index use.
    func queryPlan(_ text: String, in tenant: String) async throws -> [String] {
        let query = try QueryParser.parse(text)
        return try await writer.read { db in
            let compiled = try Self.compile(query, tenant: tenant, in: db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + compiled.statement.sql, arguments: StatementArguments(compiled.statement.arguments))
                .map { $0["detail"] as String }
        }
    }
}
