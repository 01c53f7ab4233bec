/// Turns a `Query` into one parameterised SQLite statement over the `twin` and `relationship` tables.
///
/// Both `FROM` forms become one pattern: twins (`nodes`, SQL aliases `t0`, `t1`, …) linked by edges
/// (single-hop relationships `r0`, `r1`, …; multi-hop edges as `WITH` tables `p0`, …). Every twin and
/// relationship is bound to the caller's tenant. The statement starts from the *anchor*, the twin the
/// `WHERE` clause pins down best (`$dtId` equality first), and multi-hop edges walk outwards from it.
struct QueryCompiler {
    struct Node {
        var name: String?
        var alias: String
        var position: Int
    }

    struct Edge {
        /// Endpoints as node indices, in the order written; `direction` is relative to `from` → `to`.
        var from: Int
        var to: Int
        var direction: MatchEdge.Direction
        var names: [String]
        var hops: ClosedRange<Int>
        var variable: String?
        var alias: String
        var position: Int
        var isSingleHop: Bool { hops == 1...1 }
    }

    /// What a name in the query stands for.
    enum Variable: Hashable {
        case twin(Int)
        case relationship(Int)
    }

    let query: Query
    let tenant: String
    /// For each model named by a non-exact `IS_OF_MODEL`, the models that are it or extend it.
    let subtypes: [String: [String]]
    var nodes: [Node] = []
    var edges: [Edge] = []
    var variables: [String: Variable] = [:]
    /// `FROM DIGITALTWINS` without an alias: bare names are the only collection's properties.
    var isImplicit = false

    init(_ query: Query, tenant: String, subtypes: [String: [String]]) {
        self.query = query
        self.tenant = tenant
        self.subtypes = subtypes
    }

    /// Compiles a parsed query for one tenant.
    static func compile(_ query: Query, tenant: String, subtypes: [String: [String]] = [:]) throws(QueryError) -> CompiledQuery {
        var compiler = QueryCompiler(query, tenant: tenant, subtypes: subtypes)
        try compiler.bindPattern()
        return try compiler.compile()
    }

    // MARK: Variables

    mutating func bindPattern() throws(QueryError) {
        switch query.source {
        case .collection(let alias, let joins):
            isImplicit = alias == nil
            addNode(alias.map(\.text), position: alias?.position ?? 0)
            if let alias { try claim(alias, as: .twin(0)) }
            for join in joins {
                guard case .twin(let source)? = variables[join.source.text] else {
                    throw .invalid(
                        variables[join.source.text] == nil
                            ? "unknown collection '\(join.source.text)'" : "'\(join.source.text)' is a relationship, not a collection of twins",
                        at: join.source.position)
                }
                try claim(join.alias, as: .twin(nodes.count))
                let target = addNode(join.alias.text, position: join.alias.position)
                if let relationshipAlias = join.relationshipAlias { try claim(relationshipAlias, as: .relationship(edges.count)) }
                addEdge(
                    from: source, to: target, direction: .right, names: [join.relationship.text], hops: 1...1,
                    variable: join.relationshipAlias?.text, position: join.position)
            }
        case .match(let pattern):
            // Names are claimed in the order written, so a clash is reported where the name is repeated.
            var indices: [Int] = []
            for (offset, node) in pattern.nodes.enumerated() {
                if let name = node.name, case .twin(let existing)? = variables[name.text] {
                    indices.append(existing)
                } else {
                    if let name = node.name { try claim(name, as: .twin(nodes.count)) }
                    indices.append(addNode(node.name?.text, position: node.position))
                }
                if offset < pattern.edges.count, let variable = pattern.edges[offset].variable {
                    try claim(variable, as: .relationship(offset))
                }
            }
            for (offset, edge) in pattern.edges.enumerated() {
                addEdge(
                    from: indices[offset], to: indices[offset + 1], direction: edge.direction, names: edge.names, hops: edge.hops,
                    variable: edge.variable?.text, position: edge.position)
            }
        }
    }

    private mutating func claim(_ name: QueryName, as variable: Variable) throws(QueryError) {
        if variables[name.text] != nil { throw .invalid("'\(name.text)' is already defined", at: name.position) }
        variables[name.text] = variable
    }

    @discardableResult
    private mutating func addNode(_ name: String?, position: Int) -> Int {
        nodes.append(Node(name: name, alias: "t\(nodes.count)", position: position))
        return nodes.count - 1
    }

    private mutating func addEdge(
        from: Int, to: Int, direction: MatchEdge.Direction, names: [String], hops: ClosedRange<Int>, variable: String?, position: Int
    ) {
        let alias = hops == 1...1 ? "r\(edges.count)" : "p\(edges.count)"
        edges.append(Edge(from: from, to: to, direction: direction, names: names, hops: hops, variable: variable, alias: alias, position: position))
    }

    // MARK: Statement

    mutating func compile() throws(QueryError) -> CompiledQuery {
        var conditions: [Condition] = []
        if let filter = query.filter {
            for conjunct in Self.conjuncts(of: filter) {
                conditions.append(Condition(sql: try condition(conjunct), references: try references(of: conjunct), expression: conjunct))
            }
        }
        let anchor = anchorNode(conditions)
        let plan = joinPlan(anchor: anchor.node, conditions: conditions)
        let projection = try self.projection(order: totalOrder(plan, anchoring: anchor.anchoring))
        var statement = SQLFragment()
        if !plan.tables.isEmpty {
            statement += "WITH RECURSIVE " + SQLFragment.joined(plan.tables, separator: ", ") + " "
        }
        statement += "SELECT " + projection.select + " FROM " + plan.from
        statement += " WHERE " + SQLFragment.joined(plan.rootConditions + conditions.map(\.sql), separator: " AND ")
        if !projection.groupBy.isEmpty {
            statement += " GROUP BY " + SQLFragment.joined(projection.groupBy, separator: ", ")
        }
        if !projection.orderBy.isEmpty {
            statement += " ORDER BY " + SQLFragment.joined(projection.orderBy, separator: ", ")
        }
        return CompiledQuery(statement: statement, columns: projection.columns, isBare: projection.isBare, top: query.top)
    }

    /// Keys that make every row unique, so pages cut with OFFSET never skip or repeat one, led by one
    /// that an index on the anchor already yields in order, so SQLite can stop after a page instead of
    /// sorting every match: `(tenant, model, pk)` when the model pins the anchor, else `(tenant, id)`.
    /// Unordered results therefore come by `$dtId`, or by model then creation for `IS_OF_MODEL` queries.
    func totalOrder(_ plan: JoinPlan, anchoring: Anchoring) -> [SQLFragment] {
        let anchor = nodes[plan.nodeOrder[0]].alias
        var keys = anchoring == .byModel ? [SQLFragment("\(anchor).model"), SQLFragment("\(anchor).pk")] : [SQLFragment("\(anchor).id")]
        keys += plan.nodeOrder.dropFirst().map { SQLFragment("\(nodes[$0].alias).pk") }
        keys += plan.edgeOrder.filter { edges[$0].isSingleHop }.map { SQLFragment("\(edges[$0].alias).pk") }
        return keys
    }

    /// The operands of the top-level `AND`s.
    static func conjuncts(of expression: QueryExpression) -> [QueryExpression] {
        if case .and(let left, let right, _) = expression { return conjuncts(of: left) + conjuncts(of: right) }
        return [expression]
    }
}

/// A compiled top-level conjunct of `WHERE`, with the twins and relationships it reads.
struct Condition {
    var sql: SQLFragment
    var references: Set<QueryCompiler.Variable>
    var expression: QueryExpression
}
