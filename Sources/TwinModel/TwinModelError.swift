/// Everything that can go wrong in the twin domain and its store, each case carrying the offending value.
public enum TwinModelError: Error, Sendable, Equatable {
    /// A member name breaks the key rules (empty, too long, or containing `.`, `$`, space or a control character).
    case invalidKey(path: String, reason: String)
    /// Nesting below a section's root exceeds the limit.
    case tooDeep(path: String, limit: Int)
    /// A string value is longer than the limit, in UTF-8 bytes.
    case stringTooLong(path: String, bytes: Int, limit: Int)
    /// A section would grow past its size limit once the change is applied.
    case sectionTooLarge(section: String, bytes: Int, limit: Int)
    /// A JSON Patch would store `null`, which sections never hold (in a merge patch `null` deletes).
    case nullValue(path: String)
    /// A patch or document that must be a JSON object is something else.
    case notAnObject(path: String, found: String)
    /// The JSON text could not be parsed.
    case invalidJSON(JSONSyntaxError)
    /// A JSON Patch is malformed or did not apply.
    case invalidPatch(JSONPatchError)
    /// An id is empty, too long, or contains characters ids may not have.
    case invalidIdentifier(kind: String, id: String, reason: String)
    case tenantNotFound(String)
    case twinNotFound(String)
    case twinAlreadyExists(String)
    case relationshipNotFound(source: String, id: String)
    case relationshipAlreadyExists(source: String, id: String)
    case modelNotFound(String)
    case modelAlreadyExists(String)
    /// The caller's `If-Match` etag (or expected version) is not the current one.
    case preconditionFailed(expected: String, actual: String)
    /// A twin still has relationships and the caller did not ask for a cascade.
    case twinHasRelationships(id: String, outgoing: Int, incoming: Int)
    /// An import file is malformed; `location` is a file, line or JSON path.
    case invalidImport(location: String, reason: String)
    /// A twin would exceed the number of outgoing or incoming relationships allowed.
    case relationshipLimitExceeded(twin: String, direction: String, limit: Int)
    /// In a strict tenant, a twin or relationship does not match its model; `path` locates the offending member.
    case modelViolation(path: String, reason: String)
    /// A device rejected a key that desired does not hold.
    case unknownDesiredKey(String)
    /// A model cannot be deleted while twins of a strict tenant use it.
    case modelInUse(id: String, twins: Int)
    case deviceNotFound(String)
    /// A device already has the most queued commands it may have.
    case commandQueueFull(twin: String, limit: Int)
    case commandNotFound(twin: String, id: String)
    /// A device already has the most queued cloud-to-device messages it may have.
    case messageQueueFull(twin: String, limit: Int)
    case ruleNotFound(String)
    /// A query used to select twins returned something else, or too many.
    case invalidSelection(String)
    case alertNotFound(String)
    /// The alert is not open (already cleared), so it cannot be acknowledged.
    case alertNotOpen(String)
    /// A device credential is malformed; `field` names it as the HTTP body does (`sasKeys.primary`).
    case invalidCredential(field: String, reason: String)
}

extension TwinModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidKey(let path, let reason): "invalid key at \(path): \(reason)"
        case .tooDeep(let path, let limit): "\(path) is nested deeper than \(limit) levels"
        case .stringTooLong(let path, let bytes, let limit): "string at \(path) is \(bytes) bytes; the limit is \(limit)"
        case .sectionTooLarge(let section, let bytes, let limit): "\(section) would be \(bytes) bytes; the limit is \(limit)"
        case .nullValue(let path): "\(path) would be null; sections do not store null, remove the member instead"
        case .notAnObject(let path, let found): "\(path) must be a JSON object, found \(found)"
        case .invalidJSON(let error): error.description
        case .invalidPatch(let error): error.description
        case .invalidIdentifier(let kind, let id, let reason): "invalid \(kind) id \"\(id)\": \(reason)"
        case .tenantNotFound(let id): "tenant \"\(id)\" not found"
        case .twinNotFound(let id): "twin \"\(id)\" not found"
        case .twinAlreadyExists(let id): "twin \"\(id)\" already exists"
        case .relationshipNotFound(let source, let id): "relationship \"\(id)\" of twin \"\(source)\" not found"
        case .relationshipAlreadyExists(let source, let id): "relationship \"\(id)\" of twin \"\(source)\" already exists"
        case .modelNotFound(let id): "model \"\(id)\" not found"
        case .modelAlreadyExists(let id): "model \"\(id)\" already exists"
        case .preconditionFailed(let expected, let actual): "precondition failed: expected etag \(expected), current is \(actual)"
        case .twinHasRelationships(let id, let outgoing, let incoming):
            "twin \"\(id)\" still has \(outgoing) outgoing and \(incoming) incoming relationships; delete them or ask for a cascade"
        case .invalidImport(let location, let reason): "\(location): \(reason)"
        case .relationshipLimitExceeded(let twin, let direction, let limit):
            "twin \"\(twin)\" would have more than \(limit) \(direction) relationships"
        case .modelViolation(let path, let reason): "\(path): \(reason)"
        case .unknownDesiredKey(let key): "desired holds no key \"\(key)\" to reject"
        case .modelInUse(let id, let twins): "model \"\(id)\" is the model of \(twins) twins; the tenant is strict, so it stays"
        case .deviceNotFound(let id): "device \"\(id)\" not found"
        case .commandQueueFull(let twin, let limit): "twin \"\(twin)\" already has \(limit) queued commands; wait until it takes some"
        case .commandNotFound(let twin, let id): "twin \"\(twin)\" has no command \"\(id)\""
        case .ruleNotFound(let id): "rule \"\(id)\" not found"
        case .invalidSelection(let reason): reason
        case .alertNotFound(let id): "alert \"\(id)\" not found"
        case .alertNotOpen(let id): "alert \"\(id)\" is cleared; only open alerts can be acknowledged"
        case .messageQueueFull(let twin, let limit):
            "device \"\(twin)\" already has \(limit) undelivered cloud-to-device messages; wait until it takes some"
        case .invalidCredential(let field, let reason): "\(field) \(reason)"
        }
    }
}
