extension DTDLParser {
    /// Rules about one element and its inline children: multiplicities, enum values, unique member names.
    mutating func checkElement(_ index: Int) {
        let element = elements[index]
        if !element.semanticTypes.isEmpty { checkSemanticType(element) }
        if let type = element.centralType { checkCentralType(type, element) }
        switch element.cls {
        case .relationship:
            let minimum = element.integers["minMultiplicity"]
            if let minimum, minimum != 0 { fail(element.path + ".minMultiplicity", "minMultiplicity must be 0") }
            if let maximum = element.integers["maxMultiplicity"] {
                if maximum < 1 { fail(element.path + ".maxMultiplicity", "maxMultiplicity must be at least 1") }
                if element.version == 2, maximum > 500 {
                    fail(element.path + ".maxMultiplicity", "maxMultiplicity is at most 500 in DTDL v2")
                }
                if let minimum, maximum < minimum {
                    fail(element.path + ".maxMultiplicity", "maxMultiplicity is below minMultiplicity")
                }
            }
            checkUniqueNames(element.refs("properties"), in: element, property: "properties")
        case .object:
            checkUniqueNames(element.refs("fields"), in: element, property: "fields")
        case .enum:
            let values = element.refs("enumValues")
            checkUniqueNames(values, in: element, property: "enumValues")
            var seen: Set<JSONValue> = []
            for case .inline(let child) in values {
                guard let literal = elements[child].enumLiteral else { continue }
                let schema = element.strings["valueSchema"]
                switch (schema, literal) {
                case ("integer", .int), ("string", .string), (nil, _): break
                default: fail(elements[child].path + ".enumValue", "enumValue \(literal) does not match valueSchema \(schema ?? "")")
                }
                if !seen.insert(literal).inserted {
                    fail(elements[child].path + ".enumValue", "enumValue \(literal) appears more than once")
                }
            }
        case .mapKey:
            if let schema = element.refs("schema").first, schema != .primitive("string") {
                fail(element.path + ".schema", "a map key's schema must be string")
            }
        default:
            break
        }
    }

    /// A semantic type (`Temperature`, …) needs a `unit` of its kind and a numeric primitive schema.
    mutating func checkSemanticType(_ element: DTDLElement) {
        let type = element.semanticTypes[0]
        if element.strings["unit"] == nil {
            fail(element.path, "semantic type \(type) needs a unit")
        }
        let numeric = DTDLMetamodel.numericSchemas(version: element.version)
        switch element.refs("schema").first {
        case nil: break
        case .primitive(let schema)? where numeric.contains(schema): break
        default:
            fail(element.path + ".schema", "semantic type \(type) needs a numeric schema (\(numeric.sorted().joined(separator: ", ")))")
        }
    }

    /// An IoT Central co-type fixes the schema: `vector`, a geospatial schema, a scalar, or an Enum (`State`).
    mutating func checkCentralType(_ type: String, _ element: DTDLElement) {
        guard let schema = element.refs("schema").first, let accepted = DTDLSemanticTypes.centralTypes[type] else { return }
        let fits: Bool = switch (schema, accepted) {
        case (.primitive(let term), let accepted?): accepted.contains(term)
        case (.inline(let child), nil): elements[child].cls == .enum
        case (.id, nil): true
        default: false
        }
        if !fits { fail(element.path + ".schema", "IoT Central co-type \(type) does not accept this schema") }
    }

    mutating func checkUniqueNames(_ references: [DTDLReference], in element: DTDLElement, property: String) {
        var seen: Set<String> = []
        for case .inline(let child) in references {
            guard let name = elements[child].strings["name"] else { continue }
            if !seen.insert(name).inserted {
                fail(elements[child].path + ".name", "name \"\(name)\" appears more than once in \(property)")
            }
        }
    }
}
