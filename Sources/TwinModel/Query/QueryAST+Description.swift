/// The canonical text of a query: keywords upper case, binary conditions fully parenthesised, strings in
/// single quotes. Parsing it again gives the same tree (positions aside); tests compare parses by it.
extension Query: CustomStringConvertible {
    public var description: String {
        var text = "SELECT "
        if let top { text += "TOP(\(top)) " }
        switch projection {
        case .all: text += "*"
        case .items(let items): text += items.map(\.description).joined(separator: ", ")
        }
        text += " FROM DIGITALTWINS"
        switch source {
        case .collection(let alias, let joins):
            if let alias { text += " " + alias.text }
            for join in joins {
                text += " JOIN \(join.alias.text) RELATED \(join.source.text).\(join.relationship.text)"
                if let relationshipAlias = join.relationshipAlias { text += " " + relationshipAlias.text }
            }
        case .match(let pattern):
            text += " MATCH " + pattern.description
        }
        if let filter { text += " WHERE " + filter.description }
        if !groupBy.isEmpty { text += " GROUP BY " + groupBy.map(\.description).joined(separator: ", ") }
        if !orderBy.isEmpty {
            text += " ORDER BY " + orderBy.map { $0.expression.description + ($0.descending ? " DESC" : " ASC") }.joined(separator: ", ")
        }
        return text
    }
}

extension ProjectionItem: CustomStringConvertible {
    public var description: String {
        expression.description + (alias.map { " AS " + $0.text } ?? "")
    }
}

extension MatchPattern: CustomStringConvertible {
    public var description: String {
        var text = nodes[0].description
        for (edge, node) in zip(edges, nodes.dropFirst()) {
            text += edge.description + node.description
        }
        return text
    }
}

extension MatchNode: CustomStringConvertible {
    public var description: String { "(" + (name?.text ?? "") + ")" }
}

extension MatchEdge: CustomStringConvertible {
    public var description: String {
        var body = variable?.text ?? ""
        if !names.isEmpty { body += ":" + names.joined(separator: "|") }
        if hops.lowerBound == hops.upperBound {
            if hops.lowerBound != 1 { body += "*\(hops.lowerBound)" }
        } else if hops.lowerBound == 1 {
            body += "*..\(hops.upperBound)"
        } else {
            body += "*\(hops.lowerBound - 1)..\(hops.upperBound)"
        }
        switch direction {
        case .right: return "-[\(body)]->"
        case .left: return "<-[\(body)]-"
        case .either: return "-[\(body)]-"
        }
    }
}

extension QueryExpression: CustomStringConvertible {
    public var description: String {
        switch self {
        case .literal(let value, _): Self.literalText(value)
        case .path(let path): path.description
        case .comparison(let left, let op, let right, _): "(\(left) \(op.rawValue) \(right))"
        case .membership(let value, let items, let negated, _):
            "(\(value) \(negated ? "NIN" : "IN") [\(items.map(Self.literalText).joined(separator: ", "))])"
        case .and(let left, let right, _): "(\(left) AND \(right))"
        case .or(let left, let right, _): "(\(left) OR \(right))"
        case .not(let operand, _): "(NOT \(operand))"
        case .isOfModel(let collection, let model, let exact, _):
            "IS_OF_MODEL(" + (collection.map { $0.text + ", " } ?? "") + Self.literalText(.string(model)) + (exact ? ", exact" : "") + ")"
        case .function(let function, let arguments, _):
            function.rawValue + "(" + arguments.map(\.description).joined(separator: ", ") + ")"
        case .aggregate(let aggregate, let argument, _):
            aggregate.rawValue + "(" + (argument?.description ?? "") + ")"
        }
    }

    /// A literal as the query language writes it; strings in single quotes.
    static func literalText(_ value: JSONValue) -> String {
        guard case .string(let string) = value else { return value.encodedString() }
        var text = "'"
        for scalar in string.unicodeScalars {
            switch scalar {
            case "'": text += "\\'"
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "'"
    }
}

extension PropertyPath: CustomStringConvertible {
    public var description: String {
        var text = ""
        for (index, segment) in segments.enumerated() {
            if segment.isQuoted {
                text += "[" + QueryExpression.literalText(.string(segment.name)) + "]"
            } else {
                text += (index == 0 ? "" : ".") + segment.name
            }
        }
        return text
    }
}
