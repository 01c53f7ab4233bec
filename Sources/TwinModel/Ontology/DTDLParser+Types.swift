extension DTDLParser {
    /// Reads `@type`: exactly one DTDL class from `range`, plus semantic and (where tolerated) undefined co-types.
    mutating func classify(
        _ object: JSONObject, path: String, range: Set<DTDLClass>, context: DTDLContext
    ) -> (DTDLClass, [String], Bool, String?)? {
        let version = context.version
        var typeStrings: [String] = []
        switch object["@type"] {
        case nil:
            if range.count == 1, let only = range.first, only.typeIsImplied { return (only, [], false, nil) }
            fail(path, "@type is required here")
            return nil
        case .string(let type)?:
            typeStrings = [type]
        case .array(let types)?:
            for type in types {
                guard let string = type.stringValue else {
                    fail(path + ".@type", "@type entries must be strings, found \(type.typeName)")
                    return nil
                }
                typeStrings.append(string)
            }
        case let other?:
            fail(path + ".@type", "@type must be a string or an array of strings, found \(other.typeName)")
            return nil
        }
        var material: [DTDLClass] = []
        var semantic: [String] = []
        var central: [String] = []
        var undefined = false
        var valid = true
        for type in typeStrings {
            if let cls = classTerm(type, version: version) {
                if !material.contains(cls) { material.append(cls) }
            } else if context.semanticTypes, let type = DTDLSemanticTypes.semanticType(type, version: version) {
                if !semantic.contains(type) { semantic.append(type) }
            } else if context.iotCentral, let type = DTDLSemanticTypes.centralType(type) {
                if !central.contains(type) { central.append(type) }
            } else if version == 2, DTDLSemanticTypes.isNonCotypeClass(type) {
                fail(path + ".@type", "\"\(type)\" is a DTDL class that cannot be a co-type")
                valid = false
            } else if type.hasPrefix("dtmi:") {
                if DTMI(type) == nil {
                    fail(path + ".@type", "\"\(type)\" is not a valid DTMI")
                    valid = false
                } else if DTMI(type)?.hasReservedPrefix == true, !context.openExtension {
                    fail(path + ".@type", "\"\(type)\" is a DTDL identifier that is not a co-type")
                    valid = false
                } else if options.disallowUndefinedExtensions, !context.openExtension {
                    fail(path + ".@type", "co-type \"\(type)\" names an extension type, and undefined extensions are disallowed")
                    valid = false
                }
                undefined = true
            } else if isTerm(type) {
                if DTDLMetamodel.isDTDLTerm(type, version: version), !context.openExtension {
                    fail(path + ".@type", "\"\(type)\" is a DTDL term that is not a co-type")
                    valid = false
                }
                undefined = true
            } else if version == 2, Self.isIRI(type) {
                // DTDL v2 tolerates any other IRI as an undefined co-type.
                undefined = true
            } else {
                fail(path + ".@type", "\"\(type)\" is neither a term nor a DTMI")
                valid = false
            }
        }
        if undefined && !context.allowsUndefinedTerms {
            fail(path + ".@type", "@type \(typeStrings) holds a term this DTDL version and its contexts do not define")
            valid = false
        }
        guard material.count == 1, let cls = material.first else {
            fail(path + ".@type", material.isEmpty
                ? "@type \(typeStrings) names no DTDL class"
                : "@type names more than one DTDL class: \(material.map(\.rawValue))")
            return nil
        }
        guard range.contains(cls) else {
            let expected = range.map(\.rawValue).sorted().joined(separator: ", ")
            fail(path + ".@type", "\(cls.rawValue) is not allowed here; expected \(expected)")
            return nil
        }
        if !semantic.isEmpty, !cls.acceptsSemanticTypes(version: version) {
            fail(path + ".@type", "semantic type \(semantic[0]) cannot apply to \(cls.rawValue)")
            valid = false
        }
        if !central.isEmpty, cls != .telemetry && cls != .property || central.count + semantic.count > 1 {
            fail(path + ".@type", "IoT Central co-type \(central[0]) applies only, and alone, to Telemetry or Property")
            valid = false
        }
        if semantic.count > 1 {
            fail(path + ".@type", "an element takes at most one semantic type, found \(semantic)")
            valid = false
        }
        return valid ? (cls, semantic, undefined, central.first) : nil
    }

    func classTerm(_ type: String, version: Int) -> DTDLClass? {
        var term = Substring(type)
        let prefix = "dtmi:dtdl:class:"
        if type.hasPrefix(prefix) {
            guard type.hasSuffix(";\(version)") else { return nil }
            term = type.dropFirst(prefix.count).dropLast(2)
        }
        guard let cls = DTDLClass(rawValue: String(term)), cls.exists(in: version) else { return nil }
        return cls
    }

    /// Checks an element's `@id` (or a DTMI-valued property): a valid, non-reserved user DTMI.
    mutating func checkIdentifier(_ value: JSONValue, path: String, version: Int, maxLength: Int = 2048) -> String? {
        guard let string = value.stringValue else {
            fail(path, "an identifier must be a string, found \(value.typeName)")
            return nil
        }
        if string.utf8.count > maxLength {
            fail(path, "\"\(string.prefix(40))…\" is longer than \(maxLength) characters")
            return nil
        }
        guard let dtmi = DTMI(string) else {
            fail(path, "\"\(string)\" is not a valid DTMI")
            return nil
        }
        if !dtmi.fragment.isEmpty || dtmi.isReserved || dtmi.hasReservedPrefix {
            fail(path, "\"\(string)\" uses a form reserved for the DTDL language")
            return nil
        }
        if version == 2, !dtmi.hasVersion || dtmi.minorVersion != 0 {
            fail(path, "\"\(string)\" needs a single-number version in DTDL v2")
            return nil
        }
        return string
    }
}
