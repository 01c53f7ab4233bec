import TwinModel

/// A shadow request's payload, checked as AWS checks it.
struct ShadowRequest: Sendable, Equatable {
    /// What an update does to one section.
    enum SectionChange: Sendable, Equatable {
        /// Not in the request: unchanged.
        case unchanged
        /// `null`: the whole section is cleared.
        case clear
        /// An object: merged, `null` members deleted.
        case merge(JSONObject)
    }

    var desired: SectionChange = .unchanged
    var reported: SectionChange = .unchanged
    var clientToken: String?
    /// The version the update expects the shadow to be at.
    var version: Int64?

    /// AWS limits: a message ≤ 128 KB, clientToken ≤ 64 bytes, depth 6 in desired or reported.
    static let maximumPayloadBytes = 128 * 1024
    static let maximumClientTokenBytes = 64
    static let maximumDepth = 6

    /// Parses a request; `get` and `delete` may have an empty payload, `update` needs `state`.
    static func parse(_ bytes: [UInt8], operation: ShadowTopic.Operation) -> Result<ShadowRequest, ShadowError> {
        guard bytes.count <= maximumPayloadBytes else { return .failure(.tooLarge(clientToken: nil)) }
        var request = ShadowRequest()
        if operation != .update, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .success(request)
        }
        guard let value = try? JSONParser().parse(bytes), case .object(let object) = value else {
            return .failure(ShadowError(code: 400, message: "Invalid JSON"))
        }
        if let token = object["clientToken"] {
            guard case .string(let text) = token, text.utf8.count <= maximumClientTokenBytes else {
                return .failure(ShadowError(code: 400, message: "Invalid clientToken"))
            }
            request.clientToken = text
        }
        let token = request.clientToken
        if let version = object["version"] {
            guard case .int(let number) = version, number >= 0 else {
                return .failure(ShadowError(code: 400, message: "Invalid version", clientToken: token))
            }
            request.version = number
        }
        guard operation == .update else { return .success(request) }
        guard let state = object["state"] else {
            return .failure(ShadowError(code: 400, message: "Missing required node: state", clientToken: token))
        }
        guard case .object(let sections) = state else {
            return .failure(ShadowError(code: 400, message: "State node must be an object", clientToken: token))
        }
        for (name, message) in [("desired", "Desired node must be an object"), ("reported", "Reported node must be an object")] {
            let change: SectionChange
            switch sections[name] {
            case nil: change = .unchanged
            case .null?: change = .clear
            case .object(let patch)?:
                guard depth(of: .object(patch)) <= maximumDepth else {
                    return .failure(
                        ShadowError(code: 400, message: "JSON contains too many levels of nesting; maximum is 6", clientToken: token))
                }
                guard !containsNullInArray(.object(patch)) else {
                    return .failure(ShadowError(code: 400, message: "Invalid JSON", clientToken: token))
                }
                change = .merge(patch)
            default:
                return .failure(ShadowError(code: 400, message: message, clientToken: token))
            }
            if name == "desired" { request.desired = change } else { request.reported = change }
        }
        return .success(request)
    }

    /// Levels of objects and arrays: `{"a":1}` is 1, `{"a":{"b":1}}` is 2.
    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .object(let object): 1 + (object.values.map(depth(of:)).max() ?? 0)
        case .array(let array): 1 + (array.map(depth(of:)).max() ?? 0)
        default: 0
        }
    }

    static func containsNullInArray(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object): object.values.contains(where: containsNullInArray)
        case .array(let array): array.contains { $0.isNull || containsNullInArray($0) }
        default: false
        }
    }
}

/// A refusal on `…/rejected`: `{"code", "message", "timestamp", "clientToken"}`.
struct ShadowError: Error, Sendable, Equatable {
    var code: Int
    var message: String
    var clientToken: String?

    static func tooLarge(clientToken: String?) -> ShadowError {
        ShadowError(code: 413, message: "The payload exceeds the maximum size allowed", clientToken: clientToken)
    }

    static let versionConflict = ShadowError(code: 409, message: "Version conflict")

    static func noShadow(_ topic: ShadowTopic, clientToken: String?) -> ShadowError {
        ShadowError(code: 404, message: "No shadow exists with name: '\(topic.shadowName ?? topic.thing)'", clientToken: clientToken)
    }
}
