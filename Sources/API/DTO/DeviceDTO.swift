import TwinModel

/// Devices on the wire. Credentials go in (`PUT`) but never come out: reads show only which are set.
enum DeviceDTO {
    /// What a `PUT /v1/devices/{id}` body asks for.
    struct Registration {
        var model: String?
        var status: Device.Status?
        var credentials = DeviceCredentials()
    }

    static let members = ["model", "status", "secret", "sasKeys", "x509Thumbprints"]

    /// `{"model"?, "status"?, "secret"?, "sasKeys"?: {"primary", "secondary"?}, "x509Thumbprints"?: [hex]}`.
    /// An absent member keeps what is stored; `null` removes a credential. A `deviceId` must match the path.
    static func decode(_ body: JSONObject, id: String) throws -> Registration {
        var registration = Registration()
        for (key, value) in body {
            switch key {
            case "deviceId":
                guard value == .string(id) else {
                    throw ProblemDetails.badRequest("deviceId in the body (\(value)) does not match the device id \"\(id)\" in the path")
                }
            case "model":
                guard let model = value.stringValue else { throw ProblemDetails.badRequest("model must be a string DTMI, found \(value.typeName)") }
                registration.model = model
            case "status":
                guard let text = value.stringValue, let status = Device.Status(rawValue: text) else {
                    throw ProblemDetails.badRequest("status must be \"enabled\" or \"disabled\", found \(value)")
                }
                registration.status = status
            case "secret":
                registration.credentials.secret = try change(value, field: "secret") { value in
                    guard let secret = value.stringValue else { throw invalid("secret", "must be a string, found \(value.typeName)") }
                    return secret
                }
            case "sasKeys":
                registration.credentials.sasKeys = try change(value, field: "sasKeys", sasKeys)
            case "x509Thumbprints":
                registration.credentials.x509Thumbprints = try change(value, field: "x509Thumbprints", thumbprints)
            default:
                throw ProblemDetails.badRequest("unknown member \"\(key)\"; a device registration has \(members.joined(separator: ", "))")
            }
        }
        return registration
    }

    /// `null` removes, anything else is parsed by `parse`.
    private static func change<Value>(
        _ value: JSONValue, field: String, _ parse: (JSONValue) throws -> Value
    ) throws -> CredentialChange<Value> {
        value == .null ? .remove : .set(try parse(value))
    }

    private static func sasKeys(_ value: JSONValue) throws -> SASKeys {
        guard case .object(let object) = value else { throw invalid("sasKeys", "must be an object, found \(value.typeName)") }
        for key in object.keys where key != "primary" && key != "secondary" {
            throw invalid("sasKeys", "has unknown member \"\(key)\"; it has primary and secondary")
        }
        guard let primaryValue = object["primary"] else { throw invalid("sasKeys.primary", "is required") }
        guard let primary = primaryValue.stringValue else {
            throw invalid("sasKeys.primary", "must be a base64 string, found \(primaryValue.typeName)")
        }
        var keys = SASKeys(primary: primary)
        switch object["secondary"] {
        case nil, .null?: break
        case .string(let secondary)?: keys.secondary = secondary
        case let other?: throw invalid("sasKeys.secondary", "must be a base64 string, found \(other.typeName)")
        }
        return keys
    }

    private static func thumbprints(_ value: JSONValue) throws -> [String] {
        guard case .array(let elements) = value else { throw invalid("x509Thumbprints", "must be an array, found \(value.typeName)") }
        return try elements.enumerated().map { index, element in
            guard let text = element.stringValue else { throw invalid("x509Thumbprints[\(index)]", "must be a string, found \(element.typeName)") }
            return text
        }
    }

    private static func invalid(_ field: String, _ reason: String) -> TwinModelError {
        .invalidCredential(field: field, reason: reason)
    }

    /// The device as `GET` shows it: credentials only as presence, thumbprints (public) in full.
    static func encode(_ device: Device) -> JSONValue {
        var object = connection(device).objectValue ?? [:]
        object["model"] = device.model.map(JSONValue.string) ?? .null
        object["status"] = .string(device.status.rawValue)
        object["credentials"] = [
            "secret": .bool(device.hasSecret),
            "sasKeys": ["primary": .bool(device.hasPrimarySASKey), "secondary": .bool(device.hasSecondarySASKey)],
            "x509Thumbprints": .array(device.x509Thumbprints.map(JSONValue.string)),
        ]
        object["createdAt"] = .string(device.createdAt.iso8601)
        object["updatedAt"] = .string(device.updatedAt.iso8601)
        return .object(object)
    }

    /// `{"deviceId", "connectionState", "lastActivityTime", "connectedAt"?, "disconnectedAt"?}`;
    /// `lastActivityTime` is `null` until the device is first heard from.
    static func connection(_ device: Device) -> JSONValue {
        var object: JSONObject = [
            "deviceId": .string(device.id),
            "connectionState": .string(device.connectionState.rawValue),
            "lastActivityTime": device.lastActivity.map { .string($0.iso8601) } ?? .null,
        ]
        if let connectedAt = device.connectedAt { object["connectedAt"] = .string(connectedAt.iso8601) }
        if let disconnectedAt = device.disconnectedAt { object["disconnectedAt"] = .string(disconnectedAt.iso8601) }
        return .object(object)
    }
}
