/// Topic name and topic filter rules of MQTT §4.7, the same in 3.1.1 and 5.0.
///
/// Both are compared byte by byte, never normalised (MQTT-4.7.3-4), so validation works on UTF-8 bytes.
public enum MQTTTopic {
    /// The longest topic, in bytes of UTF-8 (the length prefix is two bytes).
    public static let maximumLength = 65_535

    static let separator = UInt8(ascii: "/")
    static let singleLevelWildcard = UInt8(ascii: "+")
    static let multiLevelWildcard = UInt8(ascii: "#")

    /// Checks a topic name as a PUBLISH or a will carries it: at least one byte, at most 65,535, no
    /// wildcard, no U+0000, at most `maximumLevels` levels.
    public static func validateName(_ name: String, maximumLevels: Int = .max) throws(MQTTProtocolError) {
        let utf8 = name.utf8
        guard !utf8.isEmpty else { throw .invalidTopicName(name, .empty) }
        guard utf8.count <= maximumLength else { throw .invalidTopicName(name, .tooLong(bytes: utf8.count)) }
        var levels = 1
        for byte in utf8 {
            switch byte {
            case separator: levels += 1
            case singleLevelWildcard, multiLevelWildcard: throw .invalidTopicName(name, .wildcardInTopicName)
            case 0: throw .invalidTopicName(name, .nullCharacter)
            default: break
            }
        }
        guard levels <= maximumLevels else {
            throw .invalidTopicName(name, .tooManyLevels(levels, limit: maximumLevels))
        }
    }

    /// Checks a topic filter as SUBSCRIBE and UNSUBSCRIBE carry it, shared subscriptions
    /// (`$share/{name}/{filter}`) included: `+` occupies a whole level, `#` only the whole last one, at
    /// least one byte, at most 65,535, no U+0000, at most `maximumLevels` levels (of the filter after the
    /// share name).
    public static func validateFilter(_ filter: String, maximumLevels: Int = .max) throws(MQTTProtocolError) {
        let utf8 = filter.utf8
        guard utf8.count <= maximumLength else { throw .invalidTopicFilter(filter, .tooLong(bytes: utf8.count)) }
        if let shared = try MQTTSharedSubscription(parsing: filter) {
            try validatePlainFilter(shared.filter.utf8[...], of: filter, maximumLevels: maximumLevels)
        } else {
            try validatePlainFilter(utf8[...], of: filter, maximumLevels: maximumLevels)
        }
    }

    private static func validatePlainFilter(
        _ bytes: Substring.UTF8View,
        of filter: String,
        maximumLevels: Int
    ) throws(MQTTProtocolError) {
        guard !bytes.isEmpty else { throw .invalidTopicFilter(filter, .empty) }
        var levels = 1
        var previous: UInt8? = nil
        var afterMultiLevel = false
        for byte in bytes {
            if afterMultiLevel { throw .invalidTopicFilter(filter, .misplacedMultiLevelWildcard) }
            switch byte {
            case separator:
                levels += 1
            case singleLevelWildcard:
                guard previous == nil || previous == separator else {
                    throw .invalidTopicFilter(filter, .misplacedSingleLevelWildcard)
                }
            case multiLevelWildcard:
                guard previous == nil || previous == separator else {
                    throw .invalidTopicFilter(filter, .misplacedMultiLevelWildcard)
                }
                afterMultiLevel = true
            case 0:
                throw .invalidTopicFilter(filter, .nullCharacter)
            default:
                if previous == singleLevelWildcard {
                    throw .invalidTopicFilter(filter, .misplacedSingleLevelWildcard)
                }
            }
            previous = byte
        }
        guard levels <= maximumLevels else {
            throw .invalidTopicFilter(filter, .tooManyLevels(levels, limit: maximumLevels))
        }
    }

    /// Whether the filter contains `+` or `#` (a server may refuse wildcard subscriptions).
    public static func hasWildcard(_ filter: String) -> Bool {
        filter.utf8.contains { $0 == singleLevelWildcard || $0 == multiLevelWildcard }
    }

    /// Whether a topic name matches a (valid, non-shared) filter: `+` takes one level, a trailing `#` the
    /// parent level and everything below, and a wildcard first level never takes a `$` topic.
    public static func filter(_ filter: String, matches topic: String) -> Bool {
        let filterLevels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let topicLevels = topic.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if topic.utf8.first == UInt8(ascii: "$"), let first = filterLevels.first, first.elementsEqual("+".utf8) || first.elementsEqual("#".utf8) {
            return false
        }
        for (index, level) in filterLevels.enumerated() {
            if level.elementsEqual("#".utf8) { return true }
            guard index < topicLevels.count else { return false }
            if level.elementsEqual("+".utf8) { continue }
            guard level.elementsEqual(topicLevels[index]) else { return false }
        }
        return filterLevels.count == topicLevels.count
    }
}
