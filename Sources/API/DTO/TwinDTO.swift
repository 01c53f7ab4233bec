import TwinModel

/// Twins on the wire, in Azure Digital Twins' shape.
enum TwinDTO {
    /// `{"$dtId", "$etag", "$metadata": {"$model", "<prop>": {"lastUpdateTime"}}, …properties}`.
    static func encode(_ twin: Twin) -> JSONValue {
        var metadata: JSONObject = ["$model": twin.model.map(JSONValue.string) ?? .null]
        for key in twin.properties.value.keys {
            if let member = twin.properties.metadata.members[key] {
                metadata[key] = ["lastUpdateTime": .string(member.lastUpdated.iso8601)]
            }
        }
        var object: JSONObject = [
            "$dtId": .string(twin.id),
            "$etag": .string(twin.etag),
            "$metadata": .object(metadata),
        ]
        for (key, value) in twin.properties.value { object[key] = value }
        return .object(object)
    }

    /// The model and properties of a `PUT` body; `$`-members other than `$metadata.$model` are ignored,
    /// and a `$dtId` that disagrees with the path is refused.
    static func decode(_ body: JSONObject, id: String) throws -> (model: String?, properties: JSONObject) {
        if let bodyID = body["$dtId"], bodyID != .string(id) {
            throw ProblemDetails.badRequest("$dtId in the body (\(bodyID)) does not match the twin id \"\(id)\" in the path")
        }
        let model: String?
        switch body["$metadata"]?["$model"] {
        case .string(let dtmi)?: model = dtmi
        case nil, .null?: model = nil
        case let other?: throw ProblemDetails.badRequest("$metadata.$model must be a string DTMI, found \(other.typeName)")
        }
        var properties = JSONObject()
        for (key, value) in body where !key.hasPrefix("$") { properties[key] = value }
        return (model, properties)
    }
}

/// Relationships on the wire, in Azure Digital Twins' shape.
enum RelationshipDTO {
    static func encode(_ relationship: Relationship) -> JSONValue {
        var object: JSONObject = [
            "$relationshipId": .string(relationship.id),
            "$sourceId": .string(relationship.source),
            "$targetId": .string(relationship.target),
            "$relationshipName": .string(relationship.name),
            "$etag": .string(relationship.etag),
        ]
        for (key, value) in relationship.properties { object[key] = value }
        return .object(object)
    }

    /// The target, name and properties of a `PUT` body.
    static func decode(_ body: JSONObject) throws -> (target: String, name: String, properties: JSONObject) {
        guard let target = body["$targetId"]?.stringValue else {
            throw ProblemDetails.badRequest("a relationship needs a string $targetId")
        }
        guard let name = body["$relationshipName"]?.stringValue else {
            throw ProblemDetails.badRequest("a relationship needs a string $relationshipName")
        }
        var properties = JSONObject()
        for (key, value) in body where !key.hasPrefix("$") { properties[key] = value }
        return (target, name, properties)
    }
}

/// Device state on the wire: desired, reported, delta, metadata and versions.
enum DeviceStateDTO {
    static func encode(_ twin: Twin, rejections: [String: DesiredRejection] = [:]) -> JSONValue {
        [
            "deviceId": .string(twin.id),
            "etag": .string(twin.etag),
            "version": .int(twin.version),
            "desired": .object(twin.desired.value),
            "reported": .object(twin.reported.value),
            "delta": twin.delta.map(JSONValue.object) ?? .object([:]),
            "convergence": [
                "convergedAt": twin.convergedAt.map { .string($0.iso8601) } ?? .null,
                "keys": .object(JSONObject(uniqueKeysWithValues: twin.convergedKeys.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.iso8601)) })),
            ],
            "rejected": .object(
                JSONObject(
                    uniqueKeysWithValues: rejections.sorted { $0.key < $1.key }.map { key, rejection in
                        (key, ["reason": .string(rejection.reason), "desiredVersion": .int(rejection.desiredVersion), "at": .string(rejection.at.iso8601)])
                    })),
            "tags": .object(twin.tags.value),
            "versions": ["desired": .int(twin.desired.version), "reported": .int(twin.reported.version), "tags": .int(twin.tags.version)],
            "metadata": [
                "desired": twin.desired.metadata.azureJSON(includeVersion: true),
                "reported": twin.reported.metadata.azureJSON(includeVersion: false),
            ],
        ]
    }
}
