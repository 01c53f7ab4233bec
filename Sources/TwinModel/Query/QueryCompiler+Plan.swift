import GRDB

/// The `FROM` clause and the `WITH` tables of multi-hop edges.
///
/// Multi-hop edges with a hop range (and undirected ones) are recursive CTEs that walk breadth-first
/// from a seed, keyed by `(start, node, depth)` with `UNION`, so each twin is expanded at most once per
/// depth: the work grows with the twins reached, not with the number of paths, which in a DAG or an
/// undirected graph grows exponentially with the hops. The alternative, a `UNION` of fixed-length join
/// chains, enumerates every path, and SQLite cannot push the anchor's join constraint into a compound
/// subquery, so each chain would scan from every twin. The seed is the near end of the edge restricted
/// by everything already joined, starting from the anchor, so an anchored walk touches only its own
/// neighbourhood. Fixed-length directed edges (`*3`) are plain joins over the relationship indexes.
/// Either way a multi-hop edge yields each (start, end) pair once: a walk of the right length exists.
struct JoinPlan {
    /// `name(columns) AS (…)` definitions for `WITH RECURSIVE`.
    var tables: [SQLFragment] = []
    /// `twin t0 CROSS JOIN relationship r0 ON … CROSS JOIN twin t1 ON …`: SQLite keeps the order of
    /// `CROSS JOIN`s, so the anchor is the outer loop and every later table is reached through an index
    /// (a relationship by `(source, name)` or `(target, name)`, a twin by its row key). Left to itself the
    /// planner may scan a tenant's twins and probe a `WITH` table, which is ruinous at a million twins.
    var from = SQLFragment()
    /// The anchor's tenant condition; every joined table carries its own in `ON`.
    var rootConditions: [SQLFragment] = []
    /// Nodes and edges in the order they are joined, the anchor first.
    var nodeOrder: [Int] = []
    var edgeOrder: [Int] = []
}

extension QueryCompiler {
    /// How a relationship runs, seen from the edge's already-joined end.
    enum Orientation {
        /// The joined end is the relationship's source.
        case forward
        /// The joined end is its target.
        case backward
        case both

        var nearColumn: String { self == .backward ? "target" : "source" }
        var farColumn: String { self == .backward ? "source" : "target" }
    }

    /// How firmly a twin's own `WHERE` conjuncts pin it down, weakest first.
    enum Anchoring: Int, Comparable {
        case none
        /// Some condition on it alone, which SQLite checks row by row.
        case filtered
        /// Its model: the `(tenant, model)` index.
        case byModel
        /// Its `$dtId`: the unique `(tenant, id)` index.
        case byID

        static func < (lhs: Anchoring, rhs: Anchoring) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The twin the query starts from: the one its own `WHERE` conjuncts pin down best; the first
    /// twin when none is.
    func anchorNode(_ conditions: [Condition]) -> (node: Int, anchoring: Anchoring) {
        var best = (node: 0, anchoring: Anchoring.none)
        for condition in conditions {
            guard condition.references.count == 1, case .twin(let node)? = condition.references.first else { continue }
            let anchoring = anchoring(by: condition.expression)
            if anchoring > best.anchoring || (anchoring == best.anchoring && node < best.node) { best = (node, anchoring) }
        }
        return best
    }

    private func anchoring(by expression: QueryExpression) -> Anchoring {
        switch expression {
        case .comparison(let left, .equal, let right, _):
            let path: QueryExpression = if case .literal = left { right } else { left }
            return anchoring(byColumnOf: path)
        case .membership(let value, _, false, _):
            return anchoring(byColumnOf: value)
        case .isOfModel:
            return .byModel
        default:
            return .filtered
        }
    }

    /// `.byID` or `.byModel` when the expression is a twin's `$dtId` or `$metadata.$model`.
    private func anchoring(byColumnOf expression: QueryExpression) -> Anchoring {
        guard case .path(let path) = expression, let (variable, rest) = try? rootVariable(of: path), case .twin = variable else {
            return .filtered
        }
        let names = rest.map { $0.isSystem ? $0.name : "" }
        if names == ["$dtId"] { return .byID }
        if names == ["$metadata", "$model"] { return .byModel }
        return .filtered
    }

    func orientation(of edge: Edge, near: Int) -> Orientation {
        let nearIsFrom = near == edge.from
        switch edge.direction {
        case .right: return nearIsFrom ? .forward : .backward
        case .left: return nearIsFrom ? .backward : .forward
        case .either: return .both
        }
    }

    func nameCondition(_ alias: String, _ names: [String]) -> SQLFragment {
        switch names.count {
        case 0: SQLFragment()
        case 1: " AND \(alias).name = " + .bind(names[0])
        default: " AND \(alias).name IN " + .list(names.map(\.databaseValue))
        }
    }

    func joinPlan(anchor: Int, conditions: [Condition]) -> JoinPlan {
        var plan = JoinPlan()
        let tenant = self.tenant.databaseValue
        plan.from = SQLFragment("twin \(nodes[anchor].alias)")
        plan.rootConditions = [SQLFragment("\(nodes[anchor].alias).tenant = ?", [tenant])]
        var bound: Set<Variable> = [.twin(anchor)]
        plan.nodeOrder = [anchor]
        var done = Set<Int>()
        while let index = edges.indices.first(where: { !done.contains($0) && (bound.contains(.twin(edges[$0].from)) || bound.contains(.twin(edges[$0].to))) }) {
            done.insert(index)
            plan.edgeOrder.append(index)
            let edge = edges[index]
            let near = bound.contains(.twin(edge.from)) ? edge.from : edge.to
            let far = near == edge.from ? edge.to : edge.from
            let farBound = bound.contains(.twin(far))
            let orientation = orientation(of: edge, near: near)
            let (nearAlias, farAlias) = (nodes[near].alias, nodes[far].alias)
            let farExpression: String
            if edge.isSingleHop {
                let r = edge.alias
                var on: SQLFragment
                switch orientation {
                case .forward, .backward:
                    on = "\(r).\(orientation.nearColumn) = \(nearAlias).pk" + nameCondition(r, edge.names)
                    farExpression = "\(r).\(orientation.farColumn)"
                case .both:
                    on = "((\(r).source = \(nearAlias).pk" + nameCondition(r, edge.names) + ") OR (\(r).target = \(nearAlias).pk"
                        + nameCondition(r, edge.names) + "))"
                    farExpression = "CASE WHEN \(r).source = \(nearAlias).pk THEN \(r).target ELSE \(r).source END"
                }
                on += SQLFragment(" AND \(r).tenant = ?", [tenant])
                if farBound { on += " AND \(farExpression) = \(farAlias).pk" }
                plan.from += " CROSS JOIN relationship \(r) ON " + on
                bound.insert(.relationship(index))
            } else {
                let seed = seedQuery(plan, near: near, bound: bound, conditions: conditions)
                plan.tables += multiHopTables(edge, index: index, orientation: orientation, seed: seed)
                let p = edge.alias
                farExpression = "\(p).node"
                plan.from += " CROSS JOIN \(p) ON \(p).start = \(nearAlias).pk" + (farBound ? " AND \(p).node = \(farAlias).pk" : "")
            }
            if !farBound {
                plan.from += SQLFragment(" CROSS JOIN twin \(farAlias) ON \(farAlias).pk = \(farExpression) AND \(farAlias).tenant = ?", [tenant])
                bound.insert(.twin(far))
                plan.nodeOrder.append(far)
            }
        }
        return plan
    }

    /// What is joined so far, selecting the near twin: where a walk starts.
    struct Seed {
        var from: SQLFragment
        var filter: SQLFragment
        var near: String
    }

    private func seedQuery(_ plan: JoinPlan, near: Int, bound: Set<Variable>, conditions: [Condition]) -> Seed {
        let applicable = conditions.filter { $0.references.isSubset(of: bound) }.map(\.sql)
        return Seed(from: plan.from, filter: SQLFragment.joined(plan.rootConditions + applicable, separator: " AND "), near: "\(nodes[near].alias).pk")
    }

    /// The `WITH` tables of a multi-hop edge: `p{i}(start, node)`, distinct pairs linked by a walk of the edge's length.
    private func multiHopTables(_ edge: Edge, index: Int, orientation: Orientation, seed: Seed) -> [SQLFragment] {
        let tenant = self.tenant.databaseValue
        if edge.hops.lowerBound == edge.hops.upperBound && orientation != .both {
            var body = SQLFragment("SELECT DISTINCT \(seed.near) AS start, s\(edge.hops.upperBound - 1).\(orientation.farColumn) AS node FROM ")
            body += seed.from
            var previous = seed.near
            for hop in 0..<edge.hops.upperBound {
                let s = "s\(hop)"
                body += " CROSS JOIN relationship \(s) ON \(s).\(orientation.nearColumn) = \(previous)" + nameCondition(s, edge.names)
                body += SQLFragment(" AND \(s).tenant = ?", [tenant])
                previous = "\(s).\(orientation.farColumn)"
            }
            body += " WHERE " + seed.filter
            return ["p\(index)(start, node) AS (" + body + ")"]
        }
        let w = "w\(index)"
        var walk = SQLFragment("\(w)(start, node, depth) AS (SELECT \(seed.near), \(seed.near), 0 FROM ") + seed.from + " WHERE " + seed.filter
        let steps: [Orientation] = orientation == .both ? [.forward, .backward] : [orientation]
        for step in steps {
            walk += " UNION SELECT w.start, s.\(step.farColumn), w.depth + 1 FROM \(w) w JOIN relationship s ON s.\(step.nearColumn) = w.node"
            walk += nameCondition("s", edge.names) + SQLFragment(" AND s.tenant = ?", [tenant])
            walk += " WHERE w.depth < " + .bind(edge.hops.upperBound)
        }
        walk += ")"
        let pairs = "p\(index)(start, node) AS (SELECT DISTINCT start, node FROM \(w) WHERE depth >= " + .bind(edge.hops.lowerBound) + ")"
        return [walk, pairs]
    }
}
