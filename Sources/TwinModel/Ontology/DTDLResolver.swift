/// Cross-element rules over the parser's element table: identifiers, references, `extends`, inherited names,
/// components and schema nesting.
struct DTDLResolver {
    var elements: [DTDLElement]
    var files: [String]
    var errors: [DTDLError]
    var byId: [String: Int] = [:]
    /// Unresolved DTMI → where it was referenced.
    var unresolved: [String: [(file: Int, path: String)]] = [:]
    var ancestors: [Int: [Int]] = [:]

    init(parser: DTDLParser) {
        elements = parser.elements
        files = parser.files
        errors = parser.errors
    }

    mutating func fail(_ element: DTDLElement, _ suffix: String, _ message: String) {
        errors.append(DTDLError(file: files[element.file], path: element.path + suffix, message: message))
    }

    mutating func resolve() {
        for (index, element) in elements.enumerated() {
            guard let id = element.id else { continue }
            if let other = byId[id] {
                fail(element, ".@id", "\(id) is already defined at \(files[elements[other].file]) \(elements[other].path)")
            } else {
                byId[id] = index
            }
        }
        for index in elements.indices { checkReferences(index) }
        guard errors.isEmpty else { return }
        for index in elements.indices where elements[index].cls == .interface {
            var stack: [Int] = []
            checkExtends(index, stack: &stack)
        }
        guard errors.isEmpty else { return }
        for index in elements.indices where elements[index].cls == .interface {
            ancestors[index] = collectAncestors(index)
            checkHierarchy(index)
        }
        var depths: [Int: Int] = [:]
        for index in elements.indices where DTDLClass.complexSchemas.contains(elements[index].cls) {
            var visiting: Set<Int> = []
            _ = schemaDepth(index, memo: &depths, visiting: &visiting)
        }
        for index in elements.indices {
            checkComponent(index)
            checkPropertySchema(index)
        }
    }

    /// The element a reference names, when it is defined.
    func target(_ reference: DTDLReference) -> Int? {
        switch reference {
        case .inline(let index): index
        case .id(let id): byId[id]
        case .primitive: nil
        }
    }

    mutating func checkReferences(_ index: Int) {
        let element = elements[index]
        let specs = DTDLMetamodel.properties(of: element.cls, version: element.version)
        for (property, references) in element.references {
            guard case .elements(let range, _)? = specs.first(where: { $0.name == property })?.kind else { continue }
            for case .id(let id) in references {
                guard let targetIndex = byId[id] else {
                    unresolved[id, default: []].append((element.file, element.path + "." + property))
                    continue
                }
                let target = elements[targetIndex]
                if !range.contains(target.cls) {
                    fail(element, "." + property, "\(id) is a \(target.cls.rawValue), which \(property) cannot hold")
                } else if target.cls != .interface, target.root != element.root {
                    fail(element, "." + property, "\(id) is defined inside another Interface and cannot be referenced here")
                }
            }
        }
    }

    /// Refuses `extends` cycles and hierarchies deeper than the limit.
    mutating func checkExtends(_ index: Int, stack: inout [Int]) {
        if let start = stack.firstIndex(of: index) {
            let cycle = (stack[start...] + [index]).map { elements[$0].id ?? "?" }.joined(separator: " → ")
            fail(elements[stack[start]], ".extends", "extends cycle: \(cycle)")
            return
        }
        if stack.count > DTDLModelSet.maximumExtendsDepth {
            fail(elements[stack[0]], ".extends", "extends hierarchy is deeper than \(DTDLModelSet.maximumExtendsDepth) levels")
            return
        }
        stack.append(index)
        for reference in elements[index].refs("extends") {
            guard let base = target(reference), errors.isEmpty else { continue }
            checkExtends(base, stack: &stack)
        }
        stack.removeLast()
    }

    func collectAncestors(_ index: Int) -> [Int] {
        var result: [Int] = []
        var seen: Set<Int> = [index]
        var queue = elements[index].refs("extends").compactMap(target)
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seen.insert(next).inserted else { continue }
            result.append(next)
            queue += elements[next].refs("extends").compactMap(target)
        }
        return result
    }

    /// Size of the hierarchy and unique content names across it.
    mutating func checkHierarchy(_ index: Int) {
        let hierarchy = [index] + (ancestors[index] ?? [])
        if hierarchy.count > DTDLModelSet.maximumHierarchySize {
            fail(elements[index], ".extends", "the extends hierarchy holds more than \(DTDLModelSet.maximumHierarchySize) Interfaces")
        }
        var names: [String: Int] = [:]
        for interface in hierarchy {
            for reference in elements[interface].refs("contents") {
                guard let content = target(reference), let name = elements[content].strings["name"] else { continue }
                if let other = names[name], other != content {
                    fail(elements[index], ".contents", "content name \"\(name)\" is defined more than once in the hierarchy")
                    return
                }
                names[name] = content
            }
        }
    }

    func effectiveContentIndices(_ interface: Int) -> [Int] {
        ([interface] + (ancestors[interface] ?? [])).flatMap { elements[$0].refs("contents").compactMap(target) }
    }

    /// A component's Interface may not itself hold components.
    mutating func checkComponent(_ index: Int) {
        guard elements[index].cls == .component, let schema = elements[index].refs("schema").first.flatMap(target) else { return }
        if effectiveContentIndices(schema).contains(where: { elements[$0].cls == .component }) {
            fail(elements[index], ".schema", "a component's Interface cannot itself contain components")
        }
    }

    /// In DTDL v2 a Property's schema may not be or contain an Array (geospatial schemas are arrays).
    mutating func checkPropertySchema(_ index: Int) {
        let element = elements[index]
        guard element.cls == .property, element.version == 2 else { return }
        var visited: Set<Int> = []
        if element.refs("schema").contains(where: { containsArray($0, visited: &visited) }) {
            fail(element, ".schema", "a DTDL v2 Property's schema cannot be or contain an Array")
        }
    }

    func containsArray(_ reference: DTDLReference, visited: inout Set<Int>) -> Bool {
        if case .primitive(let term) = reference { return DTDLMetamodel.geospatialSchemas.contains(term) }
        guard let index = target(reference), visited.insert(index).inserted else { return false }
        if elements[index].cls == .array { return true }
        return elements[index].references.values.joined().contains { containsArray($0, visited: &visited) }
    }

    /// Nesting depth of a complex schema; refuses schemas that contain themselves or nest too deep.
    mutating func schemaDepth(_ index: Int, memo: inout [Int: Int], visiting: inout Set<Int>) -> Int {
        if let known = memo[index] { return known }
        guard visiting.insert(index).inserted else {
            fail(elements[index], "", "schema \(elements[index].id ?? "") contains itself")
            memo[index] = 0
            return 0
        }
        var deepest = 0
        for child in schemaChildren(index) where DTDLClass.complexSchemas.contains(elements[child].cls) {
            deepest = max(deepest, schemaDepth(child, memo: &memo, visiting: &visiting))
        }
        visiting.remove(index)
        let depth = deepest + 1
        memo[index] = depth
        if depth > DTDLModelSet.maximumSchemaDepth, deepest <= DTDLModelSet.maximumSchemaDepth {
            fail(elements[index], "", "complex schemas nest deeper than \(DTDLModelSet.maximumSchemaDepth) levels")
        }
        return depth
    }

    /// The schemas directly nested in a complex schema (through fields, map values and array elements).
    func schemaChildren(_ index: Int) -> [Int] {
        let element = elements[index]
        switch element.cls {
        case .array: return element.refs("elementSchema").compactMap(target)
        case .map: return element.refs("mapValue").compactMap(target).flatMap { elements[$0].refs("schema").compactMap(target) }
        case .object: return element.refs("fields").compactMap(target).flatMap { elements[$0].refs("schema").compactMap(target) }
        default: return []
        }
    }

    func unresolvedErrors() -> [DTDLError] {
        unresolved.keys.sorted().flatMap { id in
            unresolved[id, default: []].map { DTDLError(file: files[$0.file], path: $0.path, message: "\(id) is not defined by any document") }
        }
    }
}
