/// A DTDL Interface after parsing and reference resolution.
public struct DTDLInterface: Sendable, Hashable {
    public var id: String
    /// The document it was defined in.
    public var file: String
    public var dtdlVersion: Int
    /// Language code → text; a plain string is filed under `"en"`.
    public var displayName: [String: String]
    public var description: [String: String]
    public var comment: String?
    /// Direct bases, in declaration order.
    public var extends: [String]
    /// Contents declared by this Interface itself; see `DTDLModelSet.effectiveContents(of:)` for inherited ones.
    public var contents: [DTDLContent]
    /// Named complex schemas declared in `schemas`.
    public var schemas: [String: DTDLSchema]
}

public enum DTDLContent: Sendable, Hashable {
    case property(DTDLProperty)
    case telemetry(DTDLTelemetry)
    case command(DTDLCommand)
    case relationship(DTDLRelationship)
    case component(DTDLComponent)

    public var name: String {
        switch self {
        case .property(let value): value.name
        case .telemetry(let value): value.name
        case .command(let value): value.name
        case .relationship(let value): value.name
        case .component(let value): value.name
        }
    }
}

public struct DTDLProperty: Sendable, Hashable {
    public var name: String
    public var schema: DTDLSchema
    public var writable: Bool
    public var semanticTypes: [String]
    public var unit: String?
}

public struct DTDLTelemetry: Sendable, Hashable {
    public var name: String
    public var schema: DTDLSchema
    public var semanticTypes: [String]
    public var unit: String?
}

public struct DTDLCommandPayload: Sendable, Hashable {
    public var name: String
    public var schema: DTDLSchema
    public var nullable: Bool
}

public struct DTDLCommand: Sendable, Hashable {
    public var name: String
    public var request: DTDLCommandPayload?
    public var response: DTDLCommandPayload?
}

public struct DTDLRelationship: Sendable, Hashable {
    public var name: String
    /// The target Interface's DTMI; `nil` means any twin.
    public var target: String?
    public var minMultiplicity: Int
    public var maxMultiplicity: Int?
    public var properties: [DTDLProperty]
    public var writable: Bool
}

public struct DTDLComponent: Sendable, Hashable {
    public var name: String
    /// The component's Interface DTMI.
    public var schema: String
}

public struct DTDLEnumValue: Sendable, Hashable {
    public var name: String
    /// An integer or a string, matching the enum's value schema.
    public var value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }
}

public struct DTDLField: Sendable, Hashable {
    public var name: String
    public var schema: DTDLSchema
}

/// A data schema: a primitive term (`"double"`, `"point"`, …) or a complex schema.
public indirect enum DTDLSchema: Sendable, Hashable {
    case primitive(String)
    case array(element: DTDLSchema)
    case enumeration(valueSchema: String, values: [DTDLEnumValue])
    case map(keyName: String, valueName: String, value: DTDLSchema)
    case object(fields: [DTDLField])
    /// A reference left unresolved (lenient mode only).
    case unresolved(String)
}
