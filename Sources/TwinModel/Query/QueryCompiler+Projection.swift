import GRDB

/// The select list, `GROUP BY` and `ORDER BY` of a compiled query.
struct ProjectionPlan {
    var select = SQLFragment()
    var columns: [CompiledQuery.Column] = []
    var groupBy: [SQLFragment] = []
    var orderBy: [SQLFragment] = []
    var isBare = false
    var width = 0

    /// Appends columns to the select list; returns the index of the first.
    mutating func add(_ expressions: [SQLFragment]) -> Int {
        let start = width
        for expression in expressions {
            if width > 0 { select += ", " }
            select += expression
            width += 1
        }
        return start
    }
}

extension QueryCompiler {
    /// `order`: keys that make rows unique, appended to `ORDER BY` for ungrouped queries.
    func projection(order: [SQLFragment]) throws(QueryError) -> ProjectionPlan {
        var plan = ProjectionPlan()
        let items: [ProjectionItem] = if case .items(let items) = query.projection { items } else { [] }
        let grouping = !query.groupBy.isEmpty || items.contains { if case .aggregate = $0.expression { true } else { false } }
        var groupOperands: [Operand] = []
        for expression in query.groupBy {
            guard case .path(let path) = expression else {
                throw .invalid("GROUP BY takes properties, not aggregates", at: expression.position)
            }
            let operand = try resolve(path)
            switch operand {
            case .json(let column, let path): plan.groupBy.append(SQLFragment("\(column) -> ?", [path.databaseValue]))
            case .text(let sql, _): plan.groupBy.append(SQLFragment(sql))
            default: throw .invalid("GROUP BY takes properties such as T.$dtId or T.name, not collections or $etag", at: expression.position)
            }
            groupOperands.append(operand)
        }

        switch query.projection {
        case .all(let position):
            let named = nodes.indices.filter { nodes[$0].name != nil }
            if grouping { throw .invalid("SELECT * cannot be grouped; name the properties and aggregates to return", at: position) }
            guard isImplicit || (named.count == 1 && edges.allSatisfy { $0.variable == nil }) else {
                throw .invalid("SELECT * needs a single collection; name what to return, as in SELECT T, R", at: position)
            }
            let node = isImplicit ? 0 : named[0]
            plan.columns = [.twin(key: "", at: plan.add(twinColumns(node)))]
            plan.isBare = true
        case .items:
            var keys = Set<String>()
            for item in items {
                let key: String
                switch item.expression {
                case .aggregate(let aggregate, let argument, _):
                    key = item.alias?.text ?? aggregate.rawValue
                    plan.columns.append(.value(key: key, at: plan.add([try aggregateSQL(aggregate, argument)])))
                case .path(let path):
                    let operand = try resolve(path)
                    if grouping, !groupOperands.contains(operand) {
                        throw .invalid("'\(path)' must be in GROUP BY or inside an aggregate", at: item.position)
                    }
                    key = item.alias?.text ?? path.segments.last!.name
                    plan.columns.append(column(operand, key: key, plan: &plan))
                default:
                    throw .invalid("expected a collection, a property or an aggregate", at: item.position)
                }
                guard keys.insert(key).inserted else {
                    throw .invalid("duplicate result name '\(key)'; rename one with AS", at: item.alias?.position ?? item.position)
                }
            }
        }

        for item in query.orderBy {
            let key = try orderKey(item.expression, items: items, grouping: grouping, groupOperands: groupOperands)
            plan.orderBy.append(key + (item.descending ? " DESC" : ""))
        }
        // Pages are cut with OFFSET, so rows need one total order: end with what makes each row unique.
        if grouping {
            plan.orderBy += plan.groupBy
        } else {
            plan.orderBy += order
        }
        return plan
    }

    func twinColumns(_ node: Int) -> [SQLFragment] {
        let t = nodes[node].alias
        return ["pk", "id", "model", "properties", "properties_meta", "version"].map { SQLFragment("\(t).\($0)") }
    }

    private func column(_ operand: Operand, key: String, plan: inout ProjectionPlan) -> CompiledQuery.Column {
        switch operand {
        case .twin(let node):
            return .twin(key: key, at: plan.add(twinColumns(node)))
        case .relationship(let index):
            let r = edges[index].alias
            let columns: [SQLFragment] = [
                SQLFragment("\(r).pk"), SQLFragment("\(r).id"), SQLFragment(endpointID(of: index, source: true)),
                SQLFragment(endpointID(of: index, source: false)), SQLFragment("\(r).name"), SQLFragment("\(r).properties"),
                SQLFragment("\(r).version"),
            ]
            return .relationship(key: key, at: plan.add(columns))
        case .json(let column, let path):
            return .json(key: key, at: plan.add([SQLFragment("\(column) -> ?", [path.databaseValue])]))
        case .text(let sql, _):
            return .text(key: key, at: plan.add([SQLFragment(sql)]))
        case .etag(let pk, let version):
            return .etag(key: key, at: plan.add([SQLFragment(pk), SQLFragment(version)]))
        case .literal(let value):
            return .value(key: key, at: plan.add([.bind(value.sqlValue)]))
        }
    }

    private func aggregateSQL(_ aggregate: QueryAggregate, _ argument: QueryExpression?) throws(QueryError) -> SQLFragment {
        guard let argument else { return "COUNT(*)" }
        let numeric = aggregate == .sum || aggregate == .average
        let function = aggregate == .average ? "AVG" : aggregate.rawValue
        switch try operand(argument) {
        case .json(let column, let path):
            let types = numeric ? ["integer", "real"] : ["integer", "real", "text"]
            return "\(function)(" + typedCase(column, path, [(types, extract(column, path))], otherwise: "NULL") + ")"
        case .text(let sql, _) where !numeric:
            return SQLFragment("\(function)(\(sql))")
        default:
            throw .invalid("\(aggregate.rawValue) takes a \(numeric ? "numeric " : "")property", at: argument.position)
        }
    }

    private func orderKey(
        _ expression: QueryExpression, items: [ProjectionItem], grouping: Bool, groupOperands: [Operand]
    ) throws(QueryError) -> SQLFragment {
        switch expression {
        case .aggregate(let aggregate, let argument, let position):
            guard grouping else { throw .invalid("ORDER BY an aggregate needs GROUP BY or aggregates in SELECT", at: position) }
            return try aggregateSQL(aggregate, argument)
        case .path(let path):
            let first = path.segments[0]
            if path.segments.count == 1, !first.isQuoted, variables[first.name] == nil,
                let item = items.first(where: { $0.alias?.text == first.name })
            {
                return try orderKey(item.expression, items: [], grouping: grouping, groupOperands: groupOperands)
            }
            let operand = try resolve(path)
            if grouping, !groupOperands.contains(operand) {
                throw .invalid("'\(path)' must be in GROUP BY to order grouped results", at: path.position)
            }
            switch operand {
            case .json(let column, let path): return extract(column, path)
            case .text(let sql, _): return SQLFragment(sql)
            default: throw .invalid("ORDER BY takes properties such as T.name or T.$dtId, not collections or $etag", at: path.position)
            }
        default:
            throw .invalid("expected a property or an aggregate", at: expression.position)
        }
    }
}
