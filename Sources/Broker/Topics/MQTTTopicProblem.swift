/// Why a topic name or topic filter is refused.
public enum MQTTTopicProblem: Sendable, Hashable {
    /// Zero length (a PUBLISH may only send one with a topic alias).
    case empty
    /// Longer than 65,535 bytes of UTF-8.
    case tooLong(bytes: Int)
    /// More levels than the configured limit.
    case tooManyLevels(Int, limit: Int)
    /// U+0000 anywhere in the topic.
    case nullCharacter
    /// `+` or `#` in a topic name.
    case wildcardInTopicName
    /// `+` does not occupy a whole level of the filter.
    case misplacedSingleLevelWildcard
    /// `#` is not a whole level, or not the last one.
    case misplacedMultiLevelWildcard
    /// The share name of `$share/{name}/{filter}` is empty or contains `+` or `#`.
    case invalidShareName(String)
    /// `$share/{name}` has no `/` and filter after the share name.
    case missingSharedFilter
}

extension MQTTTopicProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .empty: "empty"
        case .tooLong(let bytes): "\(bytes) bytes, the limit is 65535"
        case .tooManyLevels(let levels, let limit): "\(levels) levels, the limit is \(limit)"
        case .nullCharacter: "contains U+0000"
        case .wildcardInTopicName: "contains a wildcard"
        case .misplacedSingleLevelWildcard: "'+' must occupy a whole level"
        case .misplacedMultiLevelWildcard: "'#' must be the whole last level"
        case .invalidShareName(let name): "invalid share name \(name.debugDescription)"
        case .missingSharedFilter: "a shared subscription needs a filter after the share name"
        }
    }
}
