/// Conditions, by falling precedence: primaries, comparisons and `IN`/`NIN`, `NOT`, `AND`, `OR`.
///
/// ```
/// condition := and {OR and}
/// and       := not {AND not}
/// not       := NOT not | predicate
/// predicate := operand [('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') operand | (IN | NIN) list]
/// operand   := literal | path | function '(' args ')' | '(' condition ')'
/// list      := '[' [literal {, literal}] ']'
/// ```
extension QueryParser {
    mutating func condition() throws(QueryError) -> QueryExpression {
        var left = try conjunction()
        while current.isKeyword("OR") {
            let position = try logicalOperator()
            left = .or(left, try conjunction(), position: position)
        }
        return left
    }

    private mutating func conjunction() throws(QueryError) -> QueryExpression {
        var left = try negation()
        while current.isKeyword("AND") {
            let position = try logicalOperator()
            left = .and(left, try negation(), position: position)
        }
        return left
    }

    /// Consumes `AND` or `OR`, counting it against the limit.
    private mutating func logicalOperator() throws(QueryError) -> Int {
        let position = advance().position
        logicalOperators += 1
        if logicalOperators > limits.maximumLogicalOperators {
            throw .limit(.logicalOperators, limits.maximumLogicalOperators, at: position)
        }
        return position
    }

    private mutating func nested<T>(at position: Int, _ body: (inout QueryParser) throws(QueryError) -> T) throws(QueryError) -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > limits.maximumNesting { throw .limit(.nesting, limits.maximumNesting, at: position) }
        return try body(&self)
    }

    private mutating func negation() throws(QueryError) -> QueryExpression {
        guard current.isKeyword("NOT") else { return try predicate() }
        let position = advance().position
        return .not(try nested(at: position) { (parser: inout QueryParser) throws(QueryError) in try parser.negation() }, position: position)
    }

    private mutating func predicate() throws(QueryError) -> QueryExpression {
        let left = try operand()
        if case .symbol(let symbol) = current.kind, let op = Self.comparison(symbol) {
            let position = advance().position
            return .comparison(left, op, try operand(), position: position)
        }
        if current.isKeyword("IN") || current.isKeyword("NIN") {
            let negated = current.isKeyword("NIN")
            let position = advance().position
            return .membership(left, try list(), negated: negated, position: position)
        }
        return left
    }

    private static func comparison(_ symbol: QueryToken.Symbol) -> ComparisonOperator? {
        switch symbol {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        default: nil
        }
    }

    private mutating func list() throws(QueryError) -> [JSONValue] {
        try expect(.leftBracket)
        var items: [JSONValue] = []
        if accept(.rightBracket) { return items }
        repeat {
            let position = current.position
            guard let value = try literal() else { throw .expected("a literal", found: current.quoted, at: position) }
            if items.count == limits.maximumInItems { throw .limit(.inItems, limits.maximumInItems, at: position) }
            items.append(value)
        } while accept(.comma)
        if !current.isSymbol(.rightBracket) { throw .expected("',' or ']'", found: current.quoted, at: current.position) }
        _ = advance()
        return items
    }

    /// A string, number (optionally negative), `true`, `false` or `null`; `nil` when the next token starts none.
    private mutating func literal() throws(QueryError) -> JSONValue? {
        switch current.kind {
        case .string(let string):
            _ = advance()
            return .string(string)
        case .integer(let value):
            _ = advance()
            return .int(value)
        case .double(let value):
            _ = advance()
            return .double(value)
        case .symbol(.minus):
            _ = advance()
            switch current.kind {
            case .integer(let value):
                _ = advance()
                return .int(-value)
            case .double(let value):
                _ = advance()
                return .double(-value)
            default:
                throw .expected("a number after '-'", found: current.quoted, at: current.position)
            }
        case .word:
            if accept("TRUE") { return .bool(true) }
            if accept("FALSE") { return .bool(false) }
            if accept("NULL") { return .null }
            return nil
        default:
            return nil
        }
    }

    private mutating func operand() throws(QueryError) -> QueryExpression {
        let position = current.position
        if let value = try literal() { return .literal(value, position: position) }
        if accept(.leftParen) {
            let inner = try nested(at: position) { (parser: inout QueryParser) throws(QueryError) in try parser.condition() }
            if !current.isSymbol(.rightParen) {
                throw .expected(inner.isCondition ? "'AND', 'OR' or ')'" : "an operator or ')'", found: current.quoted, at: current.position)
            }
            _ = advance()
            return inner
        }
        if let word = current.word, tokens[index + 1].isSymbol(.leftParen) {
            return try call(word)
        }
        return try value("a value")
    }

    /// A path, or an aggregate call: what projections, `GROUP BY` and `ORDER BY` take.
    mutating func value(_ expected: String) throws(QueryError) -> QueryExpression {
        if let word = current.word, tokens[index + 1].isSymbol(.leftParen), let aggregate = QueryAggregate(rawValue: word.uppercased()) {
            return try self.aggregate(aggregate)
        }
        return .path(try path(expected))
    }

    private mutating func aggregate(_ aggregate: QueryAggregate) throws(QueryError) -> QueryExpression {
        let position = advance().position
        try expect(.leftParen)
        if aggregate == .count {
            if !current.isSymbol(.rightParen) {
                throw QueryError(.syntax, at: current.position, expected: "')'", message: "COUNT takes no argument: expected ')', found \(current.quoted)")
            }
            _ = advance()
            return .aggregate(.count, nil, position: position)
        }
        let argument = QueryExpression.path(try path("a property"))
        try expect(.rightParen)
        return .aggregate(aggregate, argument, position: position)
    }

    mutating func path(_ expected: String) throws(QueryError) -> PropertyPath {
        let first: PropertyPath.Segment
        switch current.kind {
        case .word(let word) where !Self.isReserved(word):
            first = .init(name: word, position: advance().position, isQuoted: false)
        case .systemName(let name):
            first = .init(name: name, position: advance().position, isQuoted: false)
        default:
            throw .expected(expected, found: current.quoted, at: current.position)
        }
        var segments = [first]
        while true {
            if accept(.dot) {
                switch current.kind {
                case .word(let name), .systemName(let name):
                    segments.append(.init(name: name, position: advance().position, isQuoted: false))
                default:
                    throw .expected("a property name", found: current.quoted, at: current.position)
                }
            } else if current.isSymbol(.leftBracket) {
                _ = advance()
                guard case .string(let name) = current.kind else {
                    throw .expected("a quoted property name", found: current.quoted, at: current.position)
                }
                segments.append(.init(name: name, position: advance().position, isQuoted: true))
                try expect(.rightBracket)
            } else {
                return PropertyPath(segments: segments)
            }
        }
    }

    private mutating func call(_ word: String) throws(QueryError) -> QueryExpression {
        let name = word.uppercased()
        if name == "IS_OF_MODEL" { return try isOfModel() }
        if let aggregate = QueryAggregate(rawValue: name) { return try self.aggregate(aggregate) }
        guard let function = QueryFunction(rawValue: name) else {
            throw .invalid("unknown function '\(word)'", at: current.position)
        }
        let position = advance().position
        try expect(.leftParen)
        var arguments: [QueryExpression] = []
        for index in 0..<function.arity {
            if index > 0 { try expect(.comma) }
            arguments.append(try operand())
        }
        try expect(.rightParen)
        return .function(function, arguments, position: position)
    }

    /// `IS_OF_MODEL([collection,] 'dtmi' [, exact])`.
    private mutating func isOfModel() throws(QueryError) -> QueryExpression {
        let position = advance().position
        try expect(.leftParen)
        var collection: QueryName?
        if isAliasNext {
            collection = try alias("a collection")
            try expect(.comma)
        }
        guard case .string(let model) = current.kind else {
            throw .expected(collection == nil ? "a collection or a model id string" : "a model id string", found: current.quoted, at: current.position)
        }
        _ = advance()
        var exact = false
        if accept(.comma) {
            guard current.word?.lowercased() == "exact" else { throw .expected("'exact'", found: current.quoted, at: current.position) }
            _ = advance()
            exact = true
        }
        if !current.isSymbol(.rightParen) {
            throw .expected(exact ? "')'" : "',' or ')'", found: current.quoted, at: current.position)
        }
        _ = advance()
        return .isOfModel(collection: collection, model: model, exact: exact, position: position)
    }
}

extension QueryExpression {
    /// Whether this is a condition (comparison, logic, function) rather than a value.
    var isCondition: Bool {
        switch self {
        case .literal, .path, .aggregate: false
        default: true
        }
    }
}
