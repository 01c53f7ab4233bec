extension DTDLResolver {
    /// The public model: every Interface with an id, its own contents and schemas typed.
    func buildModelSet() -> DTDLModelSet {
        var set = DTDLModelSet()
        set.unresolvedReferences = unresolved.keys.sorted()
        for (index, element) in elements.enumerated() where element.cls == .interface {
            guard let id = element.id else { continue }
            var schemas: [String: DTDLSchema] = [:]
            for reference in element.refs("schemas") {
                guard let schemaIndex = target(reference), let schemaId = elements[schemaIndex].id else { continue }
                schemas[schemaId] = schema(reference, depth: 0)
            }
            set.interfaces[id] = DTDLInterface(
                id: id,
                file: files[element.file],
                dtdlVersion: element.version,
                displayName: element.langStrings["displayName"] ?? [:],
                description: element.langStrings["description"] ?? [:],
                comment: element.strings["comment"],
                extends: element.refs("extends").compactMap(identifier),
                contents: element.refs("contents").compactMap(target).compactMap(content),
                schemas: schemas
            )
            set.ancestors[id] = (ancestors[index] ?? []).compactMap { elements[$0].id }
        }
        return set
    }

    func identifier(_ reference: DTDLReference) -> String? {
        switch reference {
        case .id(let id): id
        case .inline(let index): elements[index].id
        case .primitive: nil
        }
    }

    func content(_ index: Int) -> DTDLContent? {
        let element = elements[index]
        guard let name = element.strings["name"] else { return nil }
        switch element.cls {
        case .property:
            return .property(property(element))
        case .telemetry:
            return .telemetry(DTDLTelemetry(
                name: name, schema: schema(element.refs("schema").first, depth: 0),
                semanticTypes: element.semanticTypes, unit: element.strings["unit"]))
        case .command:
            return .command(DTDLCommand(
                name: name, request: payload(element.refs("request").first), response: payload(element.refs("response").first)))
        case .relationship:
            return .relationship(DTDLRelationship(
                name: name, target: element.strings["target"],
                minMultiplicity: Int(element.integers["minMultiplicity"] ?? 0),
                maxMultiplicity: element.integers["maxMultiplicity"].map { Int($0) },
                properties: element.refs("properties").compactMap(target).map { property(elements[$0]) },
                writable: element.booleans["writable"] ?? false))
        case .component:
            return .component(DTDLComponent(name: name, schema: element.refs("schema").first.flatMap(identifier) ?? ""))
        default:
            return nil
        }
    }

    func property(_ element: DTDLElement) -> DTDLProperty {
        DTDLProperty(
            name: element.strings["name"] ?? "", schema: schema(element.refs("schema").first, depth: 0),
            writable: element.booleans["writable"] ?? false, semanticTypes: element.semanticTypes, unit: element.strings["unit"])
    }

    func payload(_ reference: DTDLReference?) -> DTDLCommandPayload? {
        guard let reference, let index = target(reference) else { return nil }
        let element = elements[index]
        return DTDLCommandPayload(
            name: element.strings["name"] ?? "", schema: schema(element.refs("schema").first, depth: 0),
            nullable: element.booleans["nullable"] ?? false)
    }

    func schema(_ reference: DTDLReference?, depth: Int) -> DTDLSchema {
        guard let reference else { return .unresolved("") }
        if case .primitive(let term) = reference { return .primitive(term) }
        guard let index = target(reference), depth <= DTDLModelSet.maximumSchemaDepth * 2 else {
            return .unresolved(identifier(reference) ?? "")
        }
        let element = elements[index]
        func child(_ property: String, of owner: DTDLElement = element) -> DTDLSchema {
            schema(owner.refs(property).first, depth: depth + 1)
        }
        switch element.cls {
        case .array:
            return .array(element: child("elementSchema"))
        case .enum:
            let values = element.refs("enumValues").compactMap(target).map { elements[$0] }.map {
                DTDLEnumValue(name: $0.strings["name"] ?? "", value: $0.enumLiteral ?? .null)
            }
            return .enumeration(valueSchema: element.strings["valueSchema"] ?? "", values: values)
        case .map:
            let key = element.refs("mapKey").first.flatMap(target).map { elements[$0] }
            let value = element.refs("mapValue").first.flatMap(target).map { elements[$0] }
            return .map(
                keyName: key?.strings["name"] ?? "", valueName: value?.strings["name"] ?? "",
                value: value.map { child("schema", of: $0) } ?? .unresolved(""))
        case .object:
            let fields = element.refs("fields").compactMap(target).map { elements[$0] }.map {
                DTDLField(name: $0.strings["name"] ?? "", schema: child("schema", of: $0))
            }
            return .object(fields: fields)
        default:
            return .unresolved(element.id ?? "")
        }
    }
}
