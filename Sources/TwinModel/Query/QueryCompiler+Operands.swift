import GRDB

/// What a path or literal reads, before it is typed into SQL.
enum Operand: Equatable {
    /// A member of a JSON column (`properties`, `desired`, `reported`, `tags`, a relationship's
    /// `properties`), at a SQLite JSON path that is bound, never written into the SQL.
    case json(column: String, path: String)
    /// A text column or expression; `nullable` when SQL NULL means undefined (`$metadata.$model`).
    case text(String, nullable: Bool)
    /// A twin's or relationship's etag, computed from its row key and version.
    case etag(pk: String, version: String)
    case literal(JSONValue)
    /// A whole twin or relationship.
    case twin(Int)
    case relationship(Int)
}

extension QueryCompiler {
    static let sections: Set<String> = ["desired", "reported", "tags", "telemetry"]

    /// The variable a path starts from, and the segments after it.
    func rootVariable(of path: PropertyPath) throws(QueryError) -> (variable: Variable, rest: ArraySlice<PropertyPath.Segment>) {
        let first = path.segments[0]
        if !first.isSystem, !first.isQuoted, let variable = variables[first.name] {
            return (variable, path.segments.dropFirst())
        }
        if isImplicit { return (.twin(0), path.segments[...]) }
        if first.isSystem {
            throw .invalid("'\(first.name)' needs a collection in front of it, as in T.\(first.name)", at: first.position)
        }
        throw .invalid("unknown collection '\(first.name)'", at: first.position)
    }

    func operand(_ expression: QueryExpression) throws(QueryError) -> Operand {
        switch expression {
        case .literal(let value, _): return .literal(value)
        case .path(let path): return try resolve(path)
        case .aggregate(_, _, let position):
            throw .invalid("aggregates are only allowed in SELECT and ORDER BY", at: position)
        default:
            throw .invalid("expected a property or a literal, found a condition", at: expression.position)
        }
    }

    func resolve(_ path: PropertyPath) throws(QueryError) -> Operand {
        let (variable, rest) = try rootVariable(of: path)
        switch variable {
        case .twin(let index):
            let t = nodes[index].alias
            guard let first = rest.first else { return .twin(index) }
            if first.isSystem {
                switch first.name {
                case "$dtId":
                    try requireEnd(rest, after: 1)
                    return .text("\(t).id", nullable: false)
                case "$etag":
                    try requireEnd(rest, after: 1)
                    return .etag(pk: "\(t).pk", version: "\(t).version")
                case "$metadata":
                    let model = rest.dropFirst().first
                    guard let model, model.isSystem, model.name == "$model" else {
                        throw .invalid("only $metadata.$model can be queried", at: model?.position ?? first.position)
                    }
                    try requireEnd(rest, after: 2)
                    return .text("\(t).model", nullable: true)
                default:
                    throw .invalid("unknown twin property '\(first.name)'; twins have $dtId, $etag and $metadata.$model", at: first.position)
                }
            }
            if !first.isQuoted, Self.sections.contains(first.name) {
                return .json(column: "\(t).\(first.name)", path: try jsonPath(rest.dropFirst()))
            }
            return .json(column: "\(t).properties", path: try jsonPath(rest))
        case .relationship(let index):
            let r = edges[index].alias
            guard let first = rest.first else { return .relationship(index) }
            guard first.isSystem else { return .json(column: "\(r).properties", path: try jsonPath(rest)) }
            try requireEnd(rest, after: 1)
            switch first.name {
            case "$relationshipId": return .text("\(r).id", nullable: false)
            case "$relationshipName": return .text("\(r).name", nullable: false)
            case "$sourceId": return .text(endpointID(of: index, source: true), nullable: false)
            case "$targetId": return .text(endpointID(of: index, source: false), nullable: false)
            case "$etag": return .etag(pk: "\(r).pk", version: "\(r).version")
            default:
                throw .invalid(
                    "unknown relationship property '\(first.name)'; relationships have $relationshipId, $sourceId, $targetId, $relationshipName and $etag",
                    at: first.position)
            }
        }
    }

    private func requireEnd(_ rest: ArraySlice<PropertyPath.Segment>, after count: Int) throws(QueryError) {
        if rest.count > count {
            let extra = rest[rest.startIndex + count]
            throw .invalid("'\(rest[rest.startIndex + count - 1].name)' has no members; '\(extra.name)' cannot follow it", at: extra.position)
        }
    }

    /// SQL for the id of a single-hop edge's source or target twin.
    func endpointID(of index: Int, source: Bool) -> String {
        let edge = edges[index]
        switch edge.direction {
        case .right: return "\(nodes[source ? edge.from : edge.to].alias).id"
        case .left: return "\(nodes[source ? edge.to : edge.from].alias).id"
        case .either: return "(SELECT id FROM twin WHERE pk = \(edge.alias).\(source ? "source" : "target"))"
        }
    }

    /// A SQLite JSON path, `$."a"."b"`, keys written as the store encodes them (JSON escapes).
    ///
    /// SQLite matches a quoted path key against the key's escaped text and ends it at the first `"`, so a
    /// name containing `"` cannot be addressed: it is refused rather than guessed.
    func jsonPath(_ segments: ArraySlice<PropertyPath.Segment>) throws(QueryError) -> String {
        var path = "$"
        for segment in segments {
            if segment.isSystem {
                throw .invalid("'\(segment.name)' is not a property; system properties follow a collection directly", at: segment.position)
            }
            if segment.name.contains("\"") {
                throw .invalid("property names containing '\"' cannot be queried", at: segment.position)
            }
            var bytes: [UInt8] = []
            JSONValue.writeString(segment.name, to: &bytes)
            path += "." + String(decoding: bytes, as: UTF8.self)
        }
        return path
    }

    /// The twins and relationships an expression reads.
    func references(of expression: QueryExpression) throws(QueryError) -> Set<Variable> {
        switch expression {
        case .literal: return []
        case .path(let path): return [try rootVariable(of: path).variable]
        case .comparison(let left, _, let right, _), .and(let left, let right, _), .or(let left, let right, _):
            return try references(of: left).union(try references(of: right))
        case .membership(let value, _, _, _), .not(let value, _): return try references(of: value)
        case .isOfModel(let collection, _, _, let position): return [.twin(try modelNode(collection, at: position))]
        case .function(_, let arguments, _):
            var result = Set<Variable>()
            for argument in arguments { result.formUnion(try references(of: argument)) }
            return result
        case .aggregate(_, let argument, _): return try argument.map { (argument) throws(QueryError) in try references(of: argument) } ?? []
        }
    }

    /// The twin `IS_OF_MODEL` tests: the one named, or the only one.
    func modelNode(_ collection: QueryName?, at position: Int) throws(QueryError) -> Int {
        guard let collection else {
            guard nodes.count == 1 else {
                throw .invalid("IS_OF_MODEL needs a collection when the query has several, as in IS_OF_MODEL(T, '…')", at: position)
            }
            return 0
        }
        switch variables[collection.text] {
        case .twin(let index)?: return index
        case .relationship?: throw .invalid("'\(collection.text)' is a relationship; IS_OF_MODEL tests twins", at: collection.position)
        case nil: throw .invalid("unknown collection '\(collection.text)'", at: collection.position)
        }
    }
}

extension JSONValue {
    /// The value bound for comparisons with `json_extract`, which gives booleans as 1 and 0.
    var sqlValue: DatabaseValue {
        switch self {
        case .null: .null
        case .bool(let value): (value ? 1 : 0).databaseValue
        case .int(let value): value.databaseValue
        case .double(let value): value.databaseValue
        case .string(let value): value.databaseValue
        case .array, .object: encodedString().databaseValue
        }
    }

    /// The `json_type` name of this value.
    var jsonType: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int: "integer"
        case .double: "real"
        case .string: "text"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The `json_type` names of values of this literal's kind.
    var jsonTypes: [String] {
        switch self {
        case .null: ["null"]
        case .bool: ["true", "false"]
        case .int, .double: ["integer", "real"]
        case .string: ["text"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }
}
