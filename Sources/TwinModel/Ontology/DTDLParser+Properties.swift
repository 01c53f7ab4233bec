extension DTDLParser {
    mutating func parseProperty(
        _ spec: DTDLPropertySpec, value: JSONValue, path: String, into index: Int, context: DTDLContext, root: Int
    ) {
        let version = context.version
        if case .langString(let maxLength) = spec.kind {
            if let strings = parseLangString(value, path: path, maxLength: maxLength, version: version) {
                elements[index].langStrings[spec.name] = strings
            }
            return
        }
        let values = value.arrayValue ?? [value]
        if case .elements(let range, let primitives) = spec.kind {
            if let maxCount = spec.maxCount, values.count > maxCount {
                fail(path, "\(spec.name) holds \(values.count) values; at most \(maxCount) are allowed")
            }
            if values.count < spec.minCount {
                fail(path, "\(spec.name) needs at least \(spec.minCount) values")
            }
            var references: [DTDLReference] = []
            for (position, item) in values.enumerated() {
                let itemPath = value.arrayValue == nil ? path : "\(path)[\(position)]"
                switch item {
                case .string(let string):
                    if primitives, let primitive = DTDLMetamodel.primitiveSchema(string, version: version) {
                        references.append(.primitive(primitive))
                    } else if primitives, context.iotCentral, let central = DTDLSemanticTypes.centralSchema(string) {
                        references.append(.primitive(central))
                    } else if string.hasPrefix("dtmi:"), DTMI(string) != nil {
                        references.append(.id(string))
                    } else {
                        fail(itemPath, "\"\(string)\" is not a valid \(spec.name) value")
                    }
                case .object(let object):
                    if let child = parseElement(object, path: itemPath, range: range, context: context, root: root) {
                        if spec.name == "schemas", elements[child].id == nil {
                            fail(itemPath, "a schema declared in schemas needs an @id")
                        }
                        references.append(.inline(child))
                    }
                default:
                    fail(itemPath, "\(spec.name) values must be objects or identifiers, found \(item.typeName)")
                }
            }
            elements[index].references[spec.name] = references
            return
        }
        guard values.count <= 1 else {
            fail(path, "\(spec.name) takes a single value")
            return
        }
        guard let item = values.first else { return }
        if spec.kind == .dtmi, case .object = item {
            fail(path, "\(spec.name) must be a DTMI string, not a value object")
            return
        }
        let expected: String = switch spec.kind {
        case .boolean: "boolean"
        case .integer: "integer"
        // An enumValue's typed value object must be typed for its @value: xsd:integer for 1, xsd:string for "a".
        case .enumLiteral: if case .object(let object) = item, case .int? = object["@value"] { "integer" } else { "string" }
        default: "string"
        }
        guard let literal = unwrapLiteral(item, path: path, expected: expected, version: version) else { return }
        parseLiteral(spec, literal: literal, path: path, into: index, version: version)
    }

    mutating func parseLiteral(_ spec: DTDLPropertySpec, literal: JSONValue, path: String, into index: Int, version: Int) {
        switch (spec.kind, literal) {
        case (.string(let maxLength), .string(let string)):
            if string.count > maxLength { fail(path, "\(spec.name) is longer than \(maxLength) characters") }
            elements[index].strings[spec.name] = string
        case (.name(let maxLength), .string(let string)):
            if string.count > maxLength {
                fail(path, "name is longer than \(maxLength) characters")
            } else if !Self.isName(string) {
                fail(path, "name \"\(string)\" must start with a letter, hold letters, digits and _, and not end with _")
            }
            elements[index].strings[spec.name] = string
        case (.boolean, .bool(let bool)):
            elements[index].booleans[spec.name] = bool
        case (.integer, .int(let int)):
            elements[index].integers[spec.name] = int
        case (.dtmi, .string):
            if let id = checkIdentifier(literal, path: path, version: version) { elements[index].strings[spec.name] = id }
        case (.enumLiteral, .int), (.enumLiteral, .string):
            elements[index].enumLiteral = literal
        case (.valueSchema, .string(let string)):
            guard let schema = DTDLMetamodel.primitiveSchema(string, version: version), schema == "integer" || schema == "string" else {
                fail(path, "valueSchema must be integer or string")
                return
            }
            elements[index].strings[spec.name] = schema
        case (.commandType, .string(let string)):
            let terms = ["synchronous", "asynchronous"]
            guard terms.contains(string) || terms.contains(where: { string == "dtmi:dtdl:instance:CommandType:\($0);\(version)" }) else {
                fail(path, "commandType must be synchronous or asynchronous")
                return
            }
            elements[index].strings[spec.name] = string
        case (.unit, .string(let string)):
            let types = elements[index].semanticTypes
            guard let unit = types.lazy.compactMap({ DTDLSemanticTypes.unit(string, for: $0, version: version) }).first else {
                fail(path, types.isEmpty ? "unit needs a semantic type in @type" : "\"\(string)\" is not a unit of \(types[0])")
                return
            }
            elements[index].strings[spec.name] = unit
        default:
            fail(path, "\(spec.name) cannot be \(literal)")
        }
    }

    static func isName(_ name: String) -> Bool {
        guard let first = name.utf8.first, DTMI.isLetter(first), name.utf8.last != UInt8(ascii: "_") else { return false }
        return name.utf8.allSatisfy { DTMI.isLetter($0) || DTMI.isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// A literal or its JSON-LD value object `{"@value": …, "@type": "xsd:…"}`.
    mutating func unwrapLiteral(_ value: JSONValue, path: String, expected: String, version: Int) -> JSONValue? {
        guard case .object(let object) = value else {
            if case .array = value { fail(path, "a nested array is not a value"); return nil }
            if value.isNull { fail(path, "null is not a value"); return nil }
            return value
        }
        guard let inner = object["@value"] else {
            fail(path, "an object here needs @value")
            return nil
        }
        for key in object.keys where key != "@value" && key != "@type" {
            if version >= 3 || !key.hasPrefix("@") || ["@id", "@context", "@graph"].contains(key) {
                fail(path + "." + key, "\(key) is not allowed in a value object")
                return nil
            }
        }
        if let type = object["@type"] {
            let accepted = ["xsd:\(expected)", "http://www.w3.org/2001/XMLSchema#\(expected)"]
            let types = type.arrayValue ?? [type]
            guard types.count == 1, types.allSatisfy({ $0.stringValue.map(accepted.contains) ?? false }) else {
                fail(path + ".@type", "the value's @type must be xsd:\(expected)")
                return nil
            }
        }
        switch inner {
        case .array, .object, .null:
            fail(path + ".@value", "@value must be a \(expected)")
            return nil
        default:
            return inner
        }
    }
}
