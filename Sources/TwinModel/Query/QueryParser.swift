/// Parses query text into a `Query`, enforcing the grammar-level `QueryLimits` (length, AND/OR count,
/// IN items, joins, hops, nesting) as it goes.
///
/// ```
/// query      := SELECT [TOP '(' int ')'] projection FROM DIGITALTWINS source
///               [WHERE condition] [GROUP BY value {, value}] [ORDER BY value [ASC|DESC] {, …}]
/// projection := '*' | value [AS name] {, value [AS name]}
/// source     := [[AS] alias] {JOIN alias RELATED alias '.' name [alias]} | MATCH node {edge node}
/// node       := '(' [alias] ')'
/// edge       := '-' '[' body ']' '->' | '<-' '[' body ']' '-' | '-' '[' body ']' '-'
/// body       := [alias] [':' name {'|' name}] ['*' (int | '..' int | int '..' int)]
/// ```
public struct QueryParser {
    static let reservedWords: Set<String> = [
        "SELECT", "TOP", "FROM", "DIGITALTWINS", "JOIN", "RELATED", "MATCH", "WHERE", "AND", "OR", "NOT", "IN", "NIN",
        "AS", "GROUP", "ORDER", "BY", "ASC", "DESC", "TRUE", "FALSE", "NULL",
    ]

    let limits: QueryLimits
    var tokens: [QueryToken]
    var index = 0
    var logicalOperators = 0
    var depth = 0

    init(_ text: String, limits: QueryLimits) throws(QueryError) {
        self.limits = limits
        let length = text.unicodeScalars.count
        if length > limits.maximumLength {
            throw .limit(.length, limits.maximumLength, at: limits.maximumLength, found: length)
        }
        tokens = try QueryLexer.tokens(of: text)
    }

    /// Parses one query.
    public static func parse(_ text: String, limits: QueryLimits = .standard) throws(QueryError) -> Query {
        var parser = try QueryParser(text, limits: limits)
        return try parser.query()
    }

    // MARK: Tokens

    var current: QueryToken { tokens[index] }

    mutating func advance() -> QueryToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// Consumes the keyword when it is next.
    mutating func accept(_ keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        index += 1
        return true
    }

    mutating func accept(_ symbol: QueryToken.Symbol) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        index += 1
        return true
    }

    mutating func expect(_ keyword: String) throws(QueryError) {
        guard accept(keyword) else { throw .expected("'\(keyword)'", found: current.quoted, at: current.position) }
    }

    mutating func expect(_ symbol: QueryToken.Symbol) throws(QueryError) {
        guard accept(symbol) else { throw .expected("'\(symbol.rawValue)'", found: current.quoted, at: current.position) }
    }

    /// An alias: a word that is not a reserved keyword.
    mutating func alias(_ what: String) throws(QueryError) -> QueryName {
        guard let word = current.word, !Self.isReserved(word) else {
            throw .expected(what, found: current.quoted, at: current.position)
        }
        return QueryName(text: word, position: advance().position)
    }

    /// Any word, keywords included (property and relationship names).
    mutating func name(_ what: String) throws(QueryError) -> QueryName {
        guard let word = current.word else { throw .expected(what, found: current.quoted, at: current.position) }
        return QueryName(text: word, position: advance().position)
    }

    static func isReserved(_ word: String) -> Bool {
        reservedWords.contains(word.uppercased())
    }

    var isAliasNext: Bool {
        current.word.map { !Self.isReserved($0) } ?? false
    }

    // MARK: Query

    mutating func query() throws(QueryError) -> Query {
        try expect("SELECT")
        var top: Int?
        if current.isKeyword("TOP") {
            _ = advance()
            try expect(.leftParen)
            guard case .integer(let count) = current.kind else {
                throw .expected("a positive integer", found: current.quoted, at: current.position)
            }
            guard count >= 1, count <= Int64(Int32.max) else {
                throw .invalid("TOP needs a count from 1 to \(Int32.max)", at: current.position)
            }
            _ = advance()
            try expect(.rightParen)
            top = Int(count)
        }
        let projection = try self.projection()
        try expect("FROM")
        try expect("DIGITALTWINS")
        let source = try self.source()
        var filter: QueryExpression?
        if accept("WHERE") { filter = try condition() }
        var groupBy: [QueryExpression] = []
        if accept("GROUP") {
            try expect("BY")
            repeat { groupBy.append(try value("a property to group by")) } while accept(.comma)
        }
        var orderBy: [QueryOrderItem] = []
        if accept("ORDER") {
            try expect("BY")
            repeat {
                let expression = try value("a property or aggregate to order by")
                let descending = accept("DESC")
                if !descending { _ = accept("ASC") }
                orderBy.append(QueryOrderItem(expression: expression, descending: descending))
            } while accept(.comma)
        }
        if current.kind != .end { throw unexpectedClause(source: source, filter: filter, groupBy: groupBy, orderBy: orderBy) }
        return Query(top: top, projection: projection, source: source, filter: filter, groupBy: groupBy, orderBy: orderBy)
    }

    /// What could have followed the clauses parsed so far, for the error when something else does.
    private func unexpectedClause(source: QuerySource, filter: QueryExpression?, groupBy: [QueryExpression], orderBy: [QueryOrderItem]) -> QueryError {
        var allowed: [String] = []
        if orderBy.isEmpty {
            if !groupBy.isEmpty {
                allowed.append("','")
            } else if filter != nil {
                allowed += ["'AND'", "'OR'"]
            } else {
                if case .match = source { allowed.append("an edge") } else { allowed.append("'JOIN'") }
                allowed.append("'WHERE'")
            }
            if groupBy.isEmpty { allowed.append("'GROUP BY'") }
            allowed.append("'ORDER BY'")
        } else {
            allowed.append("','")
        }
        let list = allowed.joined(separator: ", ") + " or end of query"
        return .expected(list, found: current.quoted, at: current.position)
    }

    mutating func projection() throws(QueryError) -> Projection {
        if current.isSymbol(.star) { return .all(position: advance().position) }
        var items: [ProjectionItem] = []
        repeat {
            let position = current.position
            let expression = try value("'*', a collection, a property or an aggregate")
            var alias: QueryName?
            if accept("AS") { alias = try self.alias("a name after AS") }
            items.append(ProjectionItem(expression: expression, alias: alias, position: position))
        } while accept(.comma)
        return .items(items)
    }

    mutating func source() throws(QueryError) -> QuerySource {
        if accept("MATCH") { return .match(try pattern()) }
        let alias = accept("AS") || isAliasNext ? try self.alias("a collection alias") : nil
        var joins: [QueryJoin] = []
        while current.isKeyword("JOIN") {
            let position = advance().position
            if joins.count == limits.maximumJoins { throw .limit(.joins, limits.maximumJoins, at: position) }
            if alias == nil { throw .invalid("JOIN needs the collection to have an alias: FROM DIGITALTWINS T JOIN …", at: position) }
            let target = try self.alias("a collection alias")
            try expect("RELATED")
            let source = try self.alias("a collection alias")
            try expect(.dot)
            let relationship = try name("a relationship name")
            let relationshipAlias = isAliasNext ? try self.alias("a relationship alias") : nil
            joins.append(QueryJoin(alias: target, source: source, relationship: relationship, relationshipAlias: relationshipAlias, position: position))
        }
        return .collection(alias: alias, joins: joins)
    }
}
