extension QueryParser {
    /// `node {edge node}`, with at most `maximumJoins` edges and `maximumHops` hops in all.
    mutating func pattern() throws(QueryError) -> MatchPattern {
        var nodes = [try node()]
        var edges: [MatchEdge] = []
        var hops = 0
        while current.isSymbol(.minus) || current.isSymbol(.less) {
            let position = current.position
            if edges.count == limits.maximumJoins { throw .limit(.joins, limits.maximumJoins, at: position) }
            let edge = try self.edge()
            hops += edge.hops.upperBound
            if hops > limits.maximumHops { throw .limit(.hops, limits.maximumHops, at: position) }
            edges.append(edge)
            nodes.append(try node())
        }
        return MatchPattern(nodes: nodes, edges: edges)
    }

    mutating func node() throws(QueryError) -> MatchNode {
        let position = current.position
        try expect(.leftParen)
        let name = isAliasNext ? try alias("a twin variable") : nil
        if !current.isSymbol(.rightParen) {
            throw .expected(name == nil ? "a twin variable or ')'" : "')'", found: current.quoted, at: current.position)
        }
        _ = advance()
        return MatchNode(name: name, position: position)
    }

    /// `-[…]->`, `<-[…]-` or `-[…]-`.
    mutating func edge() throws(QueryError) -> MatchEdge {
        let position = current.position
        let leftArrow = accept(.less)
        try expect(.minus)
        try expect(.leftBracket)
        var variable: QueryName?
        if isAliasNext { variable = try alias("a relationship variable") }
        var names: [String] = []
        if accept(.colon) {
            repeat { names.append(try name("a relationship name").text) } while accept(.pipe)
        }
        var hops = 1...1
        if current.isSymbol(.star) {
            let star = advance().position
            hops = try hopRange()
            if variable != nil && hops != 1...1 {
                throw .invalid("a relationship variable is only allowed on a single-hop edge", at: star)
            }
        }
        if !current.isSymbol(.rightBracket) {
            let expected =
                if hops != 1...1 || current.isSymbol(.dotDot) { "']'" } else if names.isEmpty && variable == nil {
                    "a relationship variable, ':', '*' or ']'"
                } else if names.isEmpty { "':', '*' or ']'" } else { "'|', '*' or ']'" }
            throw .expected(expected, found: current.quoted, at: current.position)
        }
        _ = advance()
        try expect(.minus)
        let direction: MatchEdge.Direction
        if leftArrow {
            direction = .left
        } else if accept(.greater) {
            direction = .right
        } else {
            direction = .either
        }
        return MatchEdge(variable: variable, names: names, direction: direction, hops: hops, position: position)
    }

    /// After `*`: `n` is exactly n hops, `..m` is 1 to m, `n..m` is more than n and at most m (ADT's exclusive lower bound).
    mutating func hopRange() throws(QueryError) -> ClosedRange<Int> {
        if accept(.dotDot) {
            let upper = try hopCount()
            guard upper.value >= 1 else { throw .invalid("a hop range needs an upper bound of at least 1", at: upper.position) }
            return 1...upper.value
        }
        let lower = try hopCount()
        guard accept(.dotDot) else {
            guard lower.value >= 1 else { throw .invalid("a hop count must be at least 1", at: lower.position) }
            return lower.value...lower.value
        }
        let upper = try hopCount()
        guard upper.value > lower.value else {
            throw .invalid(
                "the hop range *\(lower.value)..\(upper.value) is empty: it means more than \(lower.value) and at most \(upper.value) hops",
                at: lower.position)
        }
        return (lower.value + 1)...upper.value
    }

    private mutating func hopCount() throws(QueryError) -> (value: Int, position: Int) {
        guard case .integer(let value) = current.kind else {
            throw .expected("a hop count", found: current.quoted, at: current.position)
        }
        let position = advance().position
        // Anything beyond the hop limit fails there; clamp so the arithmetic cannot overflow.
        return (Int(min(value, Int64(limits.maximumHops) + 1)), position)
    }
}
