import GRDB

/// The built-in functions but `IS_OF_MODEL`. Type tests (`IS_*`) are always true or false; string and
/// array tests are false for other types and undefined for a missing property.
extension QueryCompiler {
    func function(_ function: QueryFunction, _ arguments: [QueryExpression], at position: Int) throws(QueryError) -> SQLFragment {
        let subject = try operand(arguments[0])
        if case .twin = subject { throw .invalid("\(function.rawValue) takes a property, not a collection", at: arguments[0].position) }
        if case .relationship = subject { throw .invalid("\(function.rawValue) takes a property, not a relationship", at: arguments[0].position) }
        switch function {
        case .isDefined, .isNull, .isBool, .isNumber, .isString, .isObject, .isArray, .isPrimitive:
            return typeTest(subject, types: Self.types(of: function))
        case .startsWith, .endsWith, .contains:
            guard case .literal(.string(let text), _) = arguments[1] else {
                throw .invalid("\(function.rawValue) needs a string literal as its second argument", at: arguments[1].position)
            }
            return try stringTest(function, subject, text, at: position)
        case .arrayContains:
            guard case .literal(let item, _) = arguments[1] else {
                throw .invalid("ARRAY_CONTAINS needs a literal as its second argument", at: arguments[1].position)
            }
            return arrayContains(subject, item)
        }
    }

    private static func types(of function: QueryFunction) -> [String]? {
        switch function {
        case .isDefined: nil
        case .isNull: ["null"]
        case .isBool: ["true", "false"]
        case .isNumber: ["integer", "real"]
        case .isString: ["text"]
        case .isObject: ["object"]
        case .isArray: ["array"]
        case .isPrimitive: ["null", "true", "false", "integer", "real", "text"]
        default: []
        }
    }

    /// Whether the subject is defined and, when `types` is given, of one of those `json_type`s.
    private func typeTest(_ subject: Operand, types: [String]?) -> SQLFragment {
        switch subject {
        case .json(let column, let path):
            let type = SQLFragment("json_type(\(column), ?)", [path.databaseValue])
            guard let types else { return type + " IS NOT NULL" }
            return "COALESCE(" + type + " IN (" + types.map { "'\($0)'" }.joined(separator: ", ") + "), 0)"
        case .text(let sql, let nullable):
            guard types?.contains("text") ?? true else { return "0" }
            return SQLFragment(nullable ? "(\(sql) IS NOT NULL)" : "1")
        case .etag:
            return types?.contains("text") ?? true ? "1" : "0"
        case .literal(let value):
            return types?.contains(value.jsonType) ?? true ? "1" : "0"
        case .twin, .relationship:
            return "0"
        }
    }

    private func stringTest(_ function: QueryFunction, _ subject: Operand, _ text: String, at position: Int) throws(QueryError) -> SQLFragment {
        let length = text.unicodeScalars.count
        func test(_ value: SQLFragment, isColumn: Bool) -> SQLFragment {
            switch function {
            case .startsWith:
                if length == 0 { return "1" }
                if isColumn, let upper = Self.prefixUpperBound(text) {
                    // A range on a column can use its index: exactly the strings with this prefix.
                    return "(" + value + " >= " + .bind(text) + " AND " + value + " < " + .bind(upper) + ")"
                }
                return "substr(" + value + ", 1, " + .bind(length) + ") = " + .bind(text)
            case .endsWith:
                if length == 0 { return "1" }
                return "substr(" + value + ", " + .bind(-length) + ") = " + .bind(text)
            default:
                return "instr(" + value + ", " + .bind(text) + ") > 0"
            }
        }
        switch subject {
        case .json(let column, let path):
            return typedCase(column, path, [(["text"], test(extract(column, path), isColumn: false))], otherwise: "0")
        case .text(let sql, let nullable):
            let result = test(SQLFragment(sql), isColumn: true)
            return nullable && length == 0 ? SQLFragment("CASE WHEN \(sql) IS NOT NULL THEN 1 END") : result
        case .literal(.string(let value)):
            let (scalars, pattern) = (Array(value.unicodeScalars), Array(text.unicodeScalars))
            let found =
                switch function {
                case .startsWith: scalars.starts(with: pattern)
                case .endsWith: scalars.reversed().starts(with: pattern.reversed())
                default: pattern.isEmpty || value.contains(text)
                }
            return found ? "1" : "0"
        case .literal:
            return "0"
        case .etag, .twin, .relationship:
            throw .invalid("\(function.rawValue) takes a string property", at: position)
        }
    }

    /// The smallest string above every string that starts with `prefix`, when its last code point is
    /// ASCII below DEL: the prefix with that code point incremented. Byte order is code point order in UTF-8.
    static func prefixUpperBound(_ prefix: String) -> String? {
        guard let last = prefix.unicodeScalars.last, last.value < 0x7F, let next = Unicode.Scalar(last.value + 1) else { return nil }
        var scalars = String.UnicodeScalarView(prefix.unicodeScalars.dropLast())
        scalars.append(next)
        return String(scalars)
    }

    private func arrayContains(_ subject: Operand, _ item: JSONValue) -> SQLFragment {
        guard case .json(let column, let path) = subject else {
            if case .text(let sql, true) = subject { return SQLFragment("CASE WHEN \(sql) IS NOT NULL THEN 0 END") }
            return "0"
        }
        let match: SQLFragment
        switch item {
        case .bool(let value): match = SQLFragment("e.type = '\(value ? "true" : "false")'")
        case .null: match = "e.type = 'null'"
        case .string(let value): match = "e.type = 'text' AND e.atom = " + .bind(value)
        default: match = "e.type IN ('integer', 'real') AND e.atom = " + .bind(item.sqlValue)
        }
        let exists = SQLFragment("EXISTS (SELECT 1 FROM json_each(\(column), ?) AS e WHERE ", [path.databaseValue]) + match + ")"
        return typedCase(column, path, [(["array"], exists)], otherwise: "0")
    }
}
