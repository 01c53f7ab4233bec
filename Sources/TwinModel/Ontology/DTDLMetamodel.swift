/// The DTDL classes an element can be, across v2 and v3.
enum DTDLClass: String, Sendable, CaseIterable {
    case interface = "Interface"
    case telemetry = "Telemetry"
    case property = "Property"
    case command = "Command"
    case commandPayload = "CommandPayload"
    case commandRequest = "CommandRequest"
    case commandResponse = "CommandResponse"
    case relationship = "Relationship"
    case component = "Component"
    case array = "Array"
    case `enum` = "Enum"
    case enumValue = "EnumValue"
    case map = "Map"
    case mapKey = "MapKey"
    case mapValue = "MapValue"
    case object = "Object"
    case field = "Field"

    static let contents: Set<DTDLClass> = [.telemetry, .property, .command, .relationship, .component]
    static let complexSchemas: Set<DTDLClass> = [.array, .enum, .map, .object]

    func exists(in version: Int) -> Bool {
        switch self {
        case .commandPayload: version == 2
        case .commandRequest, .commandResponse: version >= 3
        default: true
        }
    }

    /// Classes that may omit `@type` because the property holding them implies it.
    var typeIsImplied: Bool {
        switch self {
        case .commandPayload, .commandRequest, .commandResponse, .enumValue, .mapKey, .mapValue, .field: true
        default: false
        }
    }

    /// Classes whose elements may carry semantic types (and `unit`): in v2 only Telemetry and Property,
    /// in v3 (`quantitativeTypes` extension) also command payloads, Fields and MapValues.
    func acceptsSemanticTypes(version: Int) -> Bool {
        switch self {
        case .telemetry, .property: true
        case .commandRequest, .commandResponse, .field, .mapValue: version >= 3
        default: false
        }
    }
}

/// What a DTDL property's values must be.
enum DTDLPropertyKind: Sendable, Equatable {
    case langString(maxLength: Int)
    case string(maxLength: Int)
    case name(maxLength: Int)
    case boolean
    case integer
    case dtmi
    case enumLiteral
    case valueSchema
    case commandType
    case unit
    /// Elements of these classes, inline or by reference; `primitives` admits schema terms.
    case elements(Set<DTDLClass>, primitives: Bool)
}

struct DTDLPropertySpec: Sendable {
    var name: String
    var kind: DTDLPropertyKind
    var required = false
    var minCount = 0
    var maxCount: Int? = 1
}

/// The DTDL language definition the parser checks against, per version.
enum DTDLMetamodel {
    static func properties(of cls: DTDLClass, version: Int) -> [DTDLPropertySpec] {
        let v2 = version == 2
        var specs: [DTDLPropertySpec] = [
            .init(name: "comment", kind: .string(maxLength: 512)),
            .init(name: "description", kind: .langString(maxLength: 512), maxCount: nil),
            .init(name: "displayName", kind: .langString(maxLength: v2 ? 64 : 512), maxCount: nil),
        ]
        let name = DTDLPropertySpec(name: "name", kind: .name(maxLength: v2 ? 64 : 512), required: true)
        let schemaRange = DTDLClass.complexSchemas
        func schema(_ required: Bool = true) -> DTDLPropertySpec {
            .init(name: "schema", kind: .elements(schemaRange, primitives: true), required: required)
        }
        switch cls {
        case .interface:
            specs += [
                .init(name: "contents", kind: .elements(DTDLClass.contents, primitives: false), maxCount: v2 ? 300 : nil),
                .init(name: "extends", kind: .elements([.interface], primitives: false), maxCount: v2 ? 2 : 1024),
                .init(name: "schemas", kind: .elements(schemaRange, primitives: false), maxCount: nil),
            ]
        case .telemetry:
            specs += [name, schema(), .init(name: "unit", kind: .unit)]
        case .property:
            specs += [name, schema(), .init(name: "writable", kind: .boolean), .init(name: "unit", kind: .unit)]
        case .command:
            let payload: DTDLClass = v2 ? .commandPayload : .commandRequest
            specs += [
                name,
                .init(name: "request", kind: .elements([payload], primitives: false)),
                .init(name: "response", kind: .elements([v2 ? .commandPayload : .commandResponse], primitives: false)),
            ]
            // Deprecated in v3 but still accepted there.
            specs.append(.init(name: "commandType", kind: .commandType))
        case .commandPayload:
            specs += [name, schema(), .init(name: "unit", kind: .unit)]
        case .commandRequest, .commandResponse:
            specs += [name, schema(), .init(name: "nullable", kind: .boolean), .init(name: "unit", kind: .unit)]
        case .relationship:
            specs += [
                name,
                .init(name: "target", kind: .dtmi),
                .init(name: "minMultiplicity", kind: .integer),
                .init(name: "maxMultiplicity", kind: .integer),
                .init(name: "properties", kind: .elements([.property], primitives: false), maxCount: v2 ? 300 : nil),
                .init(name: "writable", kind: .boolean),
            ]
        case .component:
            specs += [name, .init(name: "schema", kind: .elements([.interface], primitives: false), required: true)]
        case .array:
            specs += [.init(name: "elementSchema", kind: .elements(schemaRange, primitives: true), required: true)]
        case .enum:
            specs += [
                .init(name: "enumValues", kind: .elements([.enumValue], primitives: false), required: v2,
                      minCount: v2 ? 1 : 0, maxCount: v2 ? 100 : nil),
                .init(name: "valueSchema", kind: .valueSchema, required: true),
            ]
        case .enumValue:
            specs += [name, .init(name: "enumValue", kind: .enumLiteral, required: true)]
        case .map:
            specs += [
                .init(name: "mapKey", kind: .elements([.mapKey], primitives: false), required: true),
                .init(name: "mapValue", kind: .elements([.mapValue], primitives: false), required: true),
            ]
        case .mapKey:
            specs += [name, schema()]
        case .mapValue:
            specs += [name, schema(), .init(name: "unit", kind: .unit)]
        case .object:
            specs += [.init(name: "fields", kind: .elements([.field], primitives: false), required: v2,
                            minCount: v2 ? 1 : 0, maxCount: v2 ? 30 : nil)]
        case .field:
            specs += [name, schema(), .init(name: "unit", kind: .unit)]
        }
        return specs
    }

    static let primitiveSchemasV2: Set<String> = [
        "boolean", "date", "dateTime", "double", "duration", "float", "integer", "long", "string", "time",
    ]
    static let primitiveSchemasV3: Set<String> = primitiveSchemasV2.union([
        "byte", "bytes", "decimal", "short", "unsignedByte", "unsignedInteger", "unsignedLong", "unsignedShort", "uuid",
    ])
    static let geospatialSchemas: Set<String> = [
        "point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon",
    ]

    /// The numeric primitive schemas, which a semantic type's element must use.
    static func numericSchemas(version: Int) -> Set<String> {
        let v2: Set<String> = ["double", "float", "integer", "long"]
        return version == 2 ? v2 : v2.union([
            "byte", "decimal", "short", "unsignedByte", "unsignedInteger", "unsignedLong", "unsignedShort",
        ])
    }

    static func primitiveSchemas(version: Int) -> Set<String> {
        version == 2 ? primitiveSchemasV2 : primitiveSchemasV3
    }

    /// The primitive or geospatial schema a term or its DTMI spelling names, as its term.
    static func primitiveSchema(_ value: String, version: Int) -> String? {
        let primitives = primitiveSchemas(version: version)
        if primitives.contains(value) || geospatialSchemas.contains(value) { return value }
        let schemaPrefix = "dtmi:dtdl:instance:Schema:"
        if value.hasPrefix(schemaPrefix), value.hasSuffix(";\(version)") {
            let term = String(value.dropFirst(schemaPrefix.count).dropLast(2))
            if primitives.contains(term) { return term }
        }
        let geoPrefix = "dtmi:standard:schema:geospatial:"
        if value.hasPrefix(geoPrefix), value.hasSuffix(";\(version)") {
            let term = String(value.dropFirst(geoPrefix.count).dropLast(2))
            if geospatialSchemas.contains(term) { return term }
        }
        return nil
    }

    /// Every term the language defines, which cannot name an undefined co-type.
    static func isDTDLTerm(_ term: String, version: Int) -> Bool {
        if DTDLClass(rawValue: term) != nil || primitiveSchemas(version: version).contains(term)
            || geospatialSchemas.contains(term) { return true }
        return DTDLClass.allCases.contains { cls in
            properties(of: cls, version: version).contains { $0.name == term }
        }
    }
}
