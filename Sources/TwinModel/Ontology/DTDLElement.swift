/// A value of an element-valued property before references are resolved.
enum DTDLReference: Sendable, Hashable {
    /// An element defined inline, by its index in the parse's element table.
    case inline(Int)
    /// A DTMI naming an element defined elsewhere.
    case id(String)
    /// A primitive or geospatial schema term.
    case primitive(String)
}

/// One parsed DTDL element (an Interface, a content, a schema, …) in the parse's element table.
struct DTDLElement: Sendable {
    var file: Int
    /// Index of the top-level element this one is defined under (itself for a top-level element).
    var root: Int
    var path: String
    var id: String?
    var cls: DTDLClass
    var version: Int
    var semanticTypes: [String] = []
    /// An IoT Central co-type (`AccelerationVector`, `Location`, …), when `dtmi:iotcentral:context;2` is in scope.
    var centralType: String?
    var strings: [String: String] = [:]
    var langStrings: [String: [String: String]] = [:]
    var booleans: [String: Bool] = [:]
    var integers: [String: Int64] = [:]
    /// `enumValue`, an integer or a string.
    var enumLiteral: JSONValue?
    var references: [String: [DTDLReference]] = [:]

    func refs(_ property: String) -> [DTDLReference] { references[property] ?? [] }
}
