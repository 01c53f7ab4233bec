import GRDB

/// `WHERE` conditions, in SQL's three-valued logic: NULL is "undefined" and never matches, even under
/// `NOT`. A missing property is undefined. Values of different JSON types are unequal (`=` false, `!=`
/// true) and unordered (`<` undefined); numbers compare by value, booleans only with booleans.
extension QueryCompiler {
    func condition(_ expression: QueryExpression) throws(QueryError) -> SQLFragment {
        switch expression {
        case .and(let left, let right, _):
            return "(" + (try condition(left)) + " AND " + (try condition(right)) + ")"
        case .or(let left, let right, _):
            return "(" + (try condition(left)) + " OR " + (try condition(right)) + ")"
        case .not(let operand, _):
            return "(NOT " + (try condition(operand)) + ")"
        case .comparison(let left, let op, let right, let position):
            return try comparison(try operand(left), op, try operand(right), at: position)
        case .membership(let value, let items, let negated, let position):
            return try membership(try operand(value), items, negated: negated, at: position)
        case .isOfModel(let collection, let model, let exact, let position):
            let node = try modelNode(collection, at: position)
            let models = exact ? [model] : subtypes[model] ?? [model]
            return "\(nodes[node].alias).model IN " + .list(models.map(\.databaseValue))
        case .function(let function, let arguments, let position):
            return try self.function(function, arguments, at: position)
        case .literal(.bool(let value), _):
            return value ? "1" : "0"
        case .literal(.null, _):
            return "NULL"
        case .literal(_, let position):
            throw .invalid("expected a condition, found a literal", at: position)
        case .path(let path):
            // A bare property is a test for `true`.
            return try comparison(try resolve(path), .equal, .literal(.bool(true)), at: path.position)
        case .aggregate(_, _, let position):
            throw .invalid("aggregates are only allowed in SELECT and ORDER BY", at: position)
        }
    }

    /// `CASE COALESCE(json_type(c, p), '') WHEN '' THEN NULL WHEN type THEN … ELSE otherwise END`: one JSON lookup.
    func typedCase(_ column: String, _ path: String, _ branches: [(types: [String], then: SQLFragment)], otherwise: String) -> SQLFragment {
        var sql = SQLFragment("CASE COALESCE(json_type(\(column), ?), '') WHEN '' THEN NULL", [path.databaseValue])
        for branch in branches {
            for type in branch.types { sql += " WHEN '\(type)' THEN " + branch.then }
        }
        return sql + " ELSE \(otherwise) END"
    }

    func extract(_ column: String, _ path: String) -> SQLFragment {
        SQLFragment("json_extract(\(column), ?)", [path.databaseValue])
    }

    private static func mismatch(_ op: ComparisonOperator) -> String {
        switch op {
        case .equal: "0"
        case .notEqual: "1"
        default: "NULL"
        }
    }

    private static func flipped(_ op: ComparisonOperator) -> ComparisonOperator {
        switch op {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        default: op
        }
    }

    private static func sqlOperator(_ op: ComparisonOperator) -> String {
        op == .notEqual ? "<>" : op.rawValue
    }

    func comparison(_ left: Operand, _ op: ComparisonOperator, _ right: Operand, at position: Int) throws(QueryError) -> SQLFragment {
        var (a, b, op) = (left, right, op)
        if case .literal = a, !isLiteral(b) { (a, b, op) = (b, a, Self.flipped(op)) }
        let sqlOp = Self.sqlOperator(op)
        switch (a, b) {
        case (.twin, _), (.relationship, _), (_, .twin), (_, .relationship):
            throw .invalid("a collection cannot be compared; compare one of its properties, such as $dtId", at: position)
        case (.etag(let pk, let version), .literal(.string(let etag))) where op == .equal || op == .notEqual:
            guard let (incarnation, number) = Self.parseEtag(etag) else { return SQLFragment(Self.mismatch(op)) }
            let test = SQLFragment("(\(pk) = ? AND \(version) = ?)", [incarnation.databaseValue, number.databaseValue])
            return op == .equal ? test : "(NOT " + test + ")"
        case (.etag, _), (_, .etag):
            throw .invalid("$etag can only be compared with = or != to a string", at: position)
        case (.literal(.null), .literal(.null)):
            guard op == .equal || op == .notEqual else { throw .invalid("null has no order; compare it with = or !=", at: position) }
            return op == .equal ? "1" : "0"
        case (_, .literal(.null)):
            guard op == .equal || op == .notEqual else { throw .invalid("null has no order; compare it with = or !=", at: position) }
            switch a {
            case .json(let column, let path):
                return typedCase(column, path, [(["null"], op == .equal ? "1" : "0")], otherwise: op == .equal ? "0" : "1")
            case .text(let sql, let nullable):
                return SQLFragment(nullable ? "CASE WHEN \(sql) IS NOT NULL THEN \(Self.mismatch(op)) END" : Self.mismatch(op))
            default:
                return SQLFragment(Self.mismatch(op))
            }
        case (.literal(let x), .literal(let y)):
            guard x.jsonTypes == y.jsonTypes else { return SQLFragment(Self.mismatch(op)) }
            return "(" + .bind(x.sqlValue) + " \(sqlOp) " + .bind(y.sqlValue) + ")"
        case (.json(let column, let path), .literal(let value)):
            let test = extract(column, path) + " \(sqlOp) " + .bind(value.sqlValue)
            return typedCase(column, path, [(value.jsonTypes, test)], otherwise: Self.mismatch(op))
        case (.text(let sql, _), .literal(.string(let value))):
            return "\(sql) \(sqlOp) " + .bind(value)
        case (.text(let sql, let nullable), .literal):
            return SQLFragment(nullable ? "CASE WHEN \(sql) IS NOT NULL THEN \(Self.mismatch(op)) END" : Self.mismatch(op))
        case (.text(let x, _), .text(let y, _)):
            return SQLFragment("(\(x) \(sqlOp) \(y))")
        default:
            return dynamicComparison(a, op, b)
        }
    }

    private func isLiteral(_ operand: Operand) -> Bool {
        if case .literal = operand { return true }
        return false
    }

    /// Two operands whose types are known only row by row.
    private func dynamicComparison(_ a: Operand, _ op: ComparisonOperator, _ b: Operand) -> SQLFragment {
        func typed(_ operand: Operand) -> (type: SQLFragment, value: SQLFragment) {
            switch operand {
            case .json(let column, let path):
                return (SQLFragment("json_type(\(column), ?)", [path.databaseValue]), extract(column, path))
            case .text(let sql, let nullable):
                return (SQLFragment(nullable ? "CASE WHEN \(sql) IS NOT NULL THEN 'text' END" : "'text'"), SQLFragment(sql))
            case .literal(let value):
                return (.bind(value.jsonTypes[0]), .bind(value.sqlValue))
            default:
                return ("NULL", "NULL")
            }
        }
        func kind(_ type: SQLFragment) -> SQLFragment {
            "CASE " + type + " WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'bool' WHEN 'false' THEN 'bool' ELSE " + type + " END"
        }
        let (left, right) = (typed(a), typed(b))
        let bothNull = op == .equal ? "1" : op == .notEqual ? "0" : "NULL"
        return "CASE WHEN " + left.type + " IS NULL OR " + right.type + " IS NULL THEN NULL WHEN " + left.type + " = 'null' AND "
            + right.type + " = 'null' THEN \(bothNull) WHEN " + kind(left.type) + " = " + kind(right.type) + " THEN " + left.value
            + " \(Self.sqlOperator(op)) " + right.value + " ELSE \(Self.mismatch(op)) END"
    }

    /// `W/"{pk base 36}-{version}"` back to its parts.
    static func parseEtag(_ etag: String) -> (Int64, Int64)? {
        guard etag.hasPrefix("W/\""), etag.hasSuffix("\""), etag.count > 4 else { return nil }
        let inner = etag.dropFirst(3).dropLast()
        let parts = inner.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pk = Int64(parts[0], radix: 36), let version = Int64(parts[1]),
            String(pk, radix: 36) == parts[0], String(version) == parts[1]
        else { return nil }
        return (pk, version)
    }

    func membership(_ value: Operand, _ items: [JSONValue], negated: Bool, at position: Int) throws(QueryError) -> SQLFragment {
        let test: SQLFragment
        switch value {
        case .twin, .relationship:
            throw .invalid("a collection cannot be compared; compare one of its properties, such as $dtId", at: position)
        case .etag:
            throw .invalid("$etag can only be compared with = or != to a string", at: position)
        case .literal(let literal):
            let found = items.contains { $0.isJSONEqual(to: literal) }
            return found != negated ? "1" : "0"
        case .text(let sql, let nullable):
            let strings = items.compactMap(\.stringValue)
            if strings.isEmpty {
                let constant = negated ? "1" : "0"
                return SQLFragment(nullable ? "CASE WHEN \(sql) IS NOT NULL THEN \(constant) END" : constant)
            }
            return "\(sql) \(negated ? "NOT IN" : "IN") " + .list(strings.map(\.databaseValue))
        case .json(let column, let path):
            var branches: [(types: [String], then: SQLFragment)] = []
            for kind in [JSONValue.string(""), .int(0), .bool(true), .null] {
                let matching = items.filter { $0.jsonTypes == kind.jsonTypes }
                guard !matching.isEmpty else { continue }
                let then: SQLFragment = kind == .null ? "1" : extract(column, path) + " IN " + .list(matching.map(\.sqlValue))
                branches.append((kind.jsonTypes, then))
            }
            test = typedCase(column, path, branches, otherwise: "0")
        }
        return negated ? "(NOT " + test + ")" : test
    }
}
