/// Turns the JSON of DTDL documents into the element table, checking each element against the metamodel.
///
/// Cross-element rules (references, `extends`, inherited names, schema depth) are `DTDLModelSet`'s.
struct DTDLParser {
    let options: DTDLParseOptions
    var files: [String] = []
    var elements: [DTDLElement] = []
    var errors: [DTDLError] = []
    var currentFile = 0

    init(options: DTDLParseOptions) {
        self.options = options
    }

    mutating func fail(_ path: String, _ message: String) {
        errors.append(DTDLError(file: files[currentFile], path: path, message: message))
    }

    /// Parses one document: a top-level Interface object or an array of them.
    mutating func parseDocument(name: String, bytes: [UInt8]) {
        files.append(name)
        currentFile = files.count - 1
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let json: JSONValue
        do {
            json = try JSONParser().parse(body)
        } catch {
            errors.append(DTDLError(file: name, path: "$", message: "\(error)", line: error.line))
            return
        }
        switch json {
        case .object(let object):
            parseTopLevel(object, path: "$")
        case .array(let array):
            for (index, item) in array.enumerated() {
                guard let object = item.objectValue else {
                    fail("$[\(index)]", "a top-level element must be a JSON object, found \(item.typeName)")
                    continue
                }
                parseTopLevel(object, path: "$[\(index)]")
            }
        default:
            fail("$", "a DTDL document must be a JSON object or array, found \(json.typeName)")
        }
    }

    mutating func parseTopLevel(_ object: JSONObject, path: String) {
        guard let contextValue = object["@context"] else {
            fail(path, "a top-level element needs an @context naming the DTDL version")
            return
        }
        switch DTDLContext.resolve(contextValue, inherited: nil, options: options) {
        case .failure(let message):
            fail(path + ".@context", message)
        case .success(let context):
            _ = parseElement(object, path: path, range: [.interface], context: context, root: nil, contextChecked: true)
        }
    }

    /// Parses an inline element whose class must be in `range`; returns its index, or `nil` when it is unusable.
    mutating func parseElement(
        _ object: JSONObject, path: String, range: Set<DTDLClass>, context inherited: DTDLContext, root: Int?,
        contextChecked: Bool = false
    ) -> Int? {
        var context = inherited
        if !contextChecked, let contextValue = object["@context"] {
            switch DTDLContext.resolve(contextValue, inherited: inherited, options: options) {
            case .failure(let message): fail(path + ".@context", message)
            case .success(let resolved): context = resolved
            }
        }
        let version = context.version
        guard let (cls, semanticTypes, hasUndefinedType, centralType) = classify(object, path: path, range: range, context: context)
        else {
            return nil
        }
        var element = DTDLElement(file: currentFile, root: root ?? elements.count, path: path, cls: cls, version: version)
        element.semanticTypes = semanticTypes
        element.centralType = centralType
        if let idValue = object["@id"] {
            element.id = checkIdentifier(idValue, path: path + ".@id", version: version, maxLength: cls == .interface ? 128 : 2048)
            if context.iotCentral, let id = element.id, id.hasPrefix("dtmi:iotcentral:") {
                fail(path + ".@id", "\"\(id)\" is reserved by the IoT Central context")
                element.id = nil
            }
        } else if cls == .interface {
            fail(path, "an Interface needs an @id")
        }
        let index = elements.count
        elements.append(element)

        let specs = DTDLMetamodel.properties(of: cls, version: version)
        var seen: [String: String] = [:]
        for (key, value) in object {
            if key.hasPrefix("@") {
                if key == "@id" || key == "@type" || key == "@context" { continue }
                if version >= 3 || key == "@graph" { fail(path + "." + key, "keyword \(key) is not allowed here") }
                continue
            }
            guard let spec = propertySpec(key, specs: specs, version: version) else {
                if !isTermOrDTMI(key) {
                    // DTDL v2 lets an undefined co-type bring properties named by any IRI, even a malformed DTMI.
                    if !(version == 2 && hasUndefinedType && context.allowsUndefinedTerms && Self.isIRI(key)) {
                        fail(path + "." + key, "\"\(key)\" is neither a term nor a DTMI")
                    }
                } else if !(hasUndefinedType && context.allowsUndefinedTerms) {
                    fail(path + "." + key, "\"\(key)\" is not a property of \(cls.rawValue)")
                }
                continue
            }
            if let other = seen[spec.name] {
                fail(path + "." + key, "\"\(key)\" and \"\(other)\" both give \(spec.name)")
                continue
            }
            seen[spec.name] = key
            parseProperty(spec, value: value, path: path + "." + key, into: index, context: context, root: root ?? index)
        }
        for spec in specs where spec.required && !elements[index].has(spec.name) {
            fail(path, "\(cls.rawValue) needs \"\(spec.name)\"")
        }
        checkElement(index)
        return index
    }

    func propertySpec(_ key: String, specs: [DTDLPropertySpec], version: Int) -> DTDLPropertySpec? {
        if let spec = specs.first(where: { $0.name == key }) { return spec }
        let prefix = "dtmi:dtdl:property:"
        guard key.hasPrefix(prefix), key.hasSuffix(";\(version)") else { return nil }
        let term = key.dropFirst(prefix.count).dropLast(2)
        return specs.first { $0.name == term }
    }

    func isTermOrDTMI(_ value: String) -> Bool {
        if value.hasPrefix("dtmi:") { return DTMI(value) != nil }
        return isTerm(value)
    }

    /// An absolute IRI as far as the parser cares: a scheme (a letter, then letters, digits, `+`, `-`, `.`), then `:`.
    static func isIRI(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else { return false }
        let scheme = value[..<colon].utf8
        guard let first = scheme.first, DTMI.isLetter(first) else { return false }
        return scheme.allSatisfy { DTMI.isLetter($0) || DTMI.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    func isTerm(_ value: String) -> Bool {
        guard let first = value.utf8.first, DTMI.isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return value.utf8.allSatisfy { DTMI.isLetter($0) || DTMI.isDigit($0) || $0 == UInt8(ascii: "_") }
    }
}

extension DTDLElement {
    func has(_ property: String) -> Bool {
        strings[property] != nil || langStrings[property] != nil || booleans[property] != nil
            || integers[property] != nil || (property == "enumValue" && enumLiteral != nil)
            || !(references[property] ?? []).isEmpty
    }
}
