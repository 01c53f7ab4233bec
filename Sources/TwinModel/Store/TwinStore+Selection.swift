extension TwinStore {
    /// The ids of the twins a graph query returns, sorted: each item must be a twin, hold exactly one twin,
    /// or be a `$dtId` projection. Fleet-wide changes and rule scopes select their twins this way.
    ///
    /// - Throws: ``TwinModelError/invalidSelection(_:)`` when the query returns values other than twins,
    ///   or more than `limit` twins; the query's own errors as they are.
    public func twinIDs(selectedBy query: String, in tenant: String, limit: Int) async throws -> [String] {
        try Self.checkSelectsTwins(try QueryParser.parse(query))
        var limits = QueryLimits()
        limits.pageSize = 1_000
        var ids = Set<String>()
        var token: String?
        repeat {
            let page = try await self.query(query, in: tenant, continuationToken: token, limits: limits)
            for item in page.items {
                guard let id = Self.twinID(of: item) else {
                    throw TwinModelError.invalidSelection("the query must select twins (SELECT T FROM DIGITALTWINS T …), not values")
                }
                ids.insert(id)
            }
            guard ids.count <= limit else { throw TwinModelError.invalidSelection("the query selects more than \(limit) twins; narrow it") }
            token = page.continuationToken
        } while token != nil
        return ids.sorted()
    }

    /// Refuses, before running it, a query whose projection can hold no twin: several items, aggregates,
    /// literals, or properties other than `$dtId`.
    static func checkSelectsTwins(_ query: Query) throws {
        guard case .items(let items) = query.projection else { return }
        let refusal = TwinModelError.invalidSelection("the query must select twins (SELECT T FROM DIGITALTWINS T …), not values")
        guard items.count == 1, case .path(let path) = items[0].expression else { throw refusal }
        let isCollection = path.segments.count == 1 && !path.segments[0].isSystem
        let isID = path.segments.last.map { $0.isSystem && $0.name == "$dtId" } ?? false
        guard isCollection || isID else { throw refusal }
    }

    private static func twinID(of item: JSONValue) -> String? {
        if let id = item["$dtId"]?.stringValue { return id }
        guard case .object(let object) = item, object.count == 1, let only = object.values.first else { return nil }
        return only["$dtId"]?.stringValue
    }
}
