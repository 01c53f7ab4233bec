/// Checks twins and relationships against the effective (inherited) contents of their DTDL models.
///
/// Built once per model set and reused for every write of a strict tenant, so it indexes each Interface's
/// effective contents by name up front instead of walking `extends` per property.
public struct ModelConformance: Sendable {
    let models: DTDLModelSet
    /// Interface DTMI → its effective contents by name.
    let contents: [String: [String: DTDLContent]]

    public init(models: DTDLModelSet) {
        self.models = models
        var contents: [String: [String: DTDLContent]] = [:]
        contents.reserveCapacity(models.interfaces.count)
        for id in models.interfaces.keys {
            var byName: [String: DTDLContent] = [:]
            for content in models.effectiveContents(of: id) { byName[content.name] = content }
            contents[id] = byName
        }
        self.contents = contents
    }

    /// Refuses a twin whose model is missing or unknown, or whose properties its model does not declare
    /// or declares with another schema.
    public func checkTwin(_ id: String, model: String?, properties: JSONObject) throws(TwinModelError) {
        guard let model else {
            throw .modelViolation(path: "twins/\(id)", reason: "the tenant is strict, so a twin needs a model")
        }
        guard let declared = contents[model] else {
            throw .modelViolation(path: "twins/\(id)/$metadata/$model", reason: "model \(model) is not uploaded")
        }
        try checkMembers(properties, against: declared, interface: model, path: "twins/\(id)")
    }

    /// Refuses a relationship its source's model does not declare, whose target is not of the declared
    /// target model (or one extending it), or whose properties do not match the declaration.
    ///
    /// - Parameters:
    ///   - sourceModel: the model of the source twin.
    ///   - targetModel: the model of the target twin.
    /// - Returns: the declaration's `maxMultiplicity`, for the caller to count against.
    @discardableResult
    public func checkRelationship(
        _ id: String, source: String, name: String, sourceModel: String?, targetModel: String?, properties: JSONObject
    ) throws(TwinModelError) -> Int? {
        let path = "twins/\(source)/relationships/\(id)"
        guard let sourceModel, let declared = contents[sourceModel] else {
            throw .modelViolation(path: path, reason: "the source twin's model \(sourceModel ?? "(none)") is not uploaded")
        }
        guard case .relationship(let relationship)? = declared[name] else {
            let found = declared[name].map { " (it is a \($0.kindName))" } ?? ""
            throw .modelViolation(path: path, reason: "model \(sourceModel) declares no relationship \"\(name)\"\(found)")
        }
        if let wanted = relationship.target, !isModel(targetModel, a: wanted) {
            throw .modelViolation(
                path: path, reason: "relationship \"\(name)\" must target a \(wanted), and the target's model is \(targetModel ?? "(none)")")
        }
        var declaredProperties: [String: DTDLContent] = [:]
        for property in relationship.properties { declaredProperties[property.name] = .property(property) }
        try checkMembers(properties, against: declaredProperties, interface: "relationship \(name)", path: path)
        return relationship.maxMultiplicity
    }

    /// Whether `model` is `ancestor` or extends it.
    public func isModel(_ model: String?, a ancestor: String) -> Bool {
        guard let model else { return false }
        return model == ancestor || models.ancestors(of: model).contains(ancestor)
    }

    private func checkMembers(
        _ members: JSONObject, against declared: [String: DTDLContent], interface: String, path: String
    ) throws(TwinModelError) {
        for (name, value) in members where !name.hasPrefix("$") {
            let memberPath = "\(path)/\(name)"
            switch declared[name] {
            case .property(let property)?:
                try SchemaCheck(conformance: self).check(value, against: property.schema, path: memberPath)
            case .component(let component)?:
                guard let object = value.objectValue else {
                    throw .modelViolation(path: memberPath, reason: "component \(name) must be an object, found \(value.typeName)")
                }
                guard let componentContents = contents[component.schema] else {
                    throw .modelViolation(path: memberPath, reason: "component model \(component.schema) is not uploaded")
                }
                try checkMembers(object, against: componentContents, interface: component.schema, path: memberPath)
            case let other?:
                throw .modelViolation(path: memberPath, reason: "\(interface) declares \(name) as a \(other.kindName), not a property")
            case nil:
                throw .modelViolation(path: memberPath, reason: "\(interface) declares no property \(name)")
            }
        }
    }
}

extension DTDLContent {
    /// The DTDL class of the content, as a word for messages.
    var kindName: String {
        switch self {
        case .property: "Property"
        case .telemetry: "Telemetry"
        case .command: "Command"
        case .relationship: "Relationship"
        case .component: "Component"
        }
    }
}

extension ModelConformance {
    /// The `maxMultiplicity` a model declares for a relationship name, if it declares one.
    public func maxMultiplicity(of name: String, in model: String?) -> Int? {
        guard let model, case .relationship(let relationship)? = contents[model]?[name] else { return nil }
        return relationship.maxMultiplicity
    }
}
