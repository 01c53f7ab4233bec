/// A set of DTDL documents parsed together: references resolved across files, `extends` checked and flattened.
public struct DTDLModelSet: Sendable {
    public enum Mode: Sendable {
        /// Any problem, including a reference to a DTMI no document defines, refuses the whole set.
        case strict
        /// References to undefined DTMIs are tolerated and listed in `unresolvedReferences`.
        case lenient
    }

    /// Limits on `extends` hierarchies.
    public static let maximumExtendsDepth = 10
    public static let maximumHierarchySize = 1024
    /// Nesting limit for complex schemas.
    public static let maximumSchemaDepth = 5

    /// Every Interface with an id, inline ones included, by DTMI.
    public internal(set) var interfaces: [String: DTDLInterface] = [:]
    /// DTMIs referenced but defined by no document, sorted.
    public internal(set) var unresolvedReferences: [String] = []
    /// Ancestors per Interface in resolution order (nearest first, each once).
    var ancestors: [String: [String]] = [:]

    public static func parse(
        documents: [(name: String, bytes: [UInt8])], mode: Mode, options: DTDLParseOptions = DTDLParseOptions()
    ) throws(DTDLParseFailure) -> DTDLModelSet {
        var parser = DTDLParser(options: options)
        for document in documents {
            parser.parseDocument(name: document.name, bytes: document.bytes)
        }
        var resolver = DTDLResolver(parser: parser)
        resolver.resolve()
        if !resolver.errors.isEmpty {
            throw DTDLParseFailure(errors: resolver.errors)
        }
        if mode == .strict, !resolver.unresolved.isEmpty {
            throw DTDLParseFailure(errors: resolver.unresolvedErrors())
        }
        return resolver.buildModelSet()
    }

    /// The contents of `id` and of everything it extends, each once, own contents first.
    public func effectiveContents(of id: String) -> [DTDLContent] {
        guard let interface = interfaces[id] else { return [] }
        var result = interface.contents
        var seen = Set(result.map(\.name))
        for ancestor in ancestors[id] ?? [] {
            for content in interfaces[ancestor]?.contents ?? [] where seen.insert(content.name).inserted {
                result.append(content)
            }
        }
        return result
    }

    /// Everything `id` extends, directly or not, nearest first.
    public func ancestors(of id: String) -> [String] {
        ancestors[id] ?? []
    }
}
