/// Checks one JSON value against a DTDL schema, the way a twin's property is stored.
struct SchemaCheck {
    let conformance: ModelConformance

    func check(_ value: JSONValue, against schema: DTDLSchema, path: String) throws(TwinModelError) {
        switch schema {
        case .primitive(let term):
            try checkPrimitive(value, term: term, path: path)
        case .unresolved:
            return  // lenient model sets may leave a schema unresolved; nothing to hold the value to
        case .array(let elementSchema):
            guard case .array(let elements) = value else { throw mismatch(value, "an array", path) }
            for (index, element) in elements.enumerated() {
                try check(element, against: elementSchema, path: "\(path)/\(index)")
            }
        case .enumeration(let valueSchema, let values):
            guard values.contains(where: { $0.value == value }) else {
                let allowed = values.map { $0.value.encodedString() }.joined(separator: ", ")
                throw .modelViolation(path: path, reason: "\(value.encodedString()) is not one of the \(valueSchema) enum values \(allowed)")
            }
        case .map(_, _, let valueSchema):
            guard case .object(let entries) = value else { throw mismatch(value, "an object (map)", path) }
            for (key, entry) in entries {
                try check(entry, against: valueSchema, path: "\(path)/\(key)")
            }
        case .object(let fields):
            guard case .object(let members) = value else { throw mismatch(value, "an object", path) }
            for (name, member) in members {
                guard let field = fields.first(where: { $0.name == name }) else {
                    throw .modelViolation(path: "\(path)/\(name)", reason: "the object schema has no field \(name)")
                }
                try check(member, against: field.schema, path: "\(path)/\(name)")
            }
        }
    }

    private func checkPrimitive(_ value: JSONValue, term: String, path: String) throws(TwinModelError) {
        switch term {
        case "boolean":
            guard case .bool = value else { throw mismatch(value, "a boolean", path) }
        case "string":
            guard case .string = value else { throw mismatch(value, "a string", path) }
        case "double", "float", "decimal":
            guard value.doubleValue != nil else { throw mismatch(value, "a number", path) }
        case "integer", "long", "byte", "short", "unsignedByte", "unsignedShort", "unsignedInteger", "unsignedLong":
            guard let integer = value.intValue, let range = Self.integerRanges[term] else { throw mismatch(value, "an integer", path) }
            guard range.contains(integer) else {
                throw .modelViolation(path: path, reason: "\(integer) is outside the range of \(term) (\(range.lowerBound)…\(range.upperBound))")
            }
        case "date", "dateTime", "time", "duration", "uuid", "bytes":
            guard case .string(let text) = value else { throw mismatch(value, "a \(term) string", path) }
            guard TemporalFormat.matches(text, term: term) else {
                throw .modelViolation(path: path, reason: "\"\(text)\" is not a valid \(term)")
            }
        default:
            if DTDLMetamodel.geospatialSchemas.contains(term) {
                guard value.objectValue?["type"]?.stringValue?.lowercased() == term.lowercased() else {
                    throw mismatch(value, "a GeoJSON \(term) object", path)
                }
            }
        }
    }

    private func mismatch(_ value: JSONValue, _ expected: String, _ path: String) -> TwinModelError {
        .modelViolation(path: path, reason: "the model wants \(expected), found \(value.typeName) \(value.encodedString().prefix(60))")
    }

    /// `unsignedLong` is capped at `Int64.max`: JSON integers above it are not representable here anyway.
    private static let integerRanges: [String: ClosedRange<Int64>] = [
        "integer": Int64(Int32.min)...Int64(Int32.max),
        "long": Int64.min...Int64.max,
        "byte": Int64(Int8.min)...Int64(Int8.max),
        "short": Int64(Int16.min)...Int64(Int16.max),
        "unsignedByte": 0...Int64(UInt8.max),
        "unsignedShort": 0...Int64(UInt16.max),
        "unsignedInteger": 0...Int64(UInt32.max),
        "unsignedLong": 0...Int64.max,
    ]
}
