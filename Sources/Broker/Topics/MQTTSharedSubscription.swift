/// A shared subscription's topic filter, `$share/{shareName}/{filter}` (MQTT 5.0 §4.8.2): the messages
/// matching `filter` go to one subscriber of the group `shareName` at a time.
public struct MQTTSharedSubscription: Sendable, Hashable {
    /// The group's name: at least one character, no `/`, `+` or `#`.
    public var shareName: String
    /// The filter the group subscribes to.
    public var filter: String

    static let prefix = "$share/"

    public init(shareName: String, filter: String) {
        self.shareName = shareName
        self.filter = filter
    }

    /// Parses `topicFilter`: `nil` when it is not a shared subscription (does not start with `$share/`),
    /// throws when it starts so but has a bad share name or no filter after it. The inner filter's
    /// wildcards are left to ``MQTTTopic/validateFilter(_:maximumLevels:)``.
    public init?(parsing topicFilter: String) throws(MQTTProtocolError) {
        let utf8 = topicFilter.utf8
        guard utf8.starts(with: Self.prefix.utf8) else { return nil }
        let nameStart = utf8.index(utf8.startIndex, offsetBy: Self.prefix.utf8.count)
        let rest = utf8[nameStart...]
        guard let slash = rest.firstIndex(of: MQTTTopic.separator) else {
            throw .invalidTopicFilter(topicFilter, .missingSharedFilter)
        }
        let name = rest[..<slash]
        let filter = rest[utf8.index(after: slash)...]
        let nameString = String(Substring(name))
        guard !name.isEmpty,
            !name.contains(where: { $0 == MQTTTopic.singleLevelWildcard || $0 == MQTTTopic.multiLevelWildcard })
        else {
            throw .invalidTopicFilter(topicFilter, .invalidShareName(nameString))
        }
        guard !filter.isEmpty else { throw .invalidTopicFilter(topicFilter, .missingSharedFilter) }
        self.shareName = nameString
        self.filter = String(Substring(filter))
    }

    /// The topic filter as SUBSCRIBE carries it.
    public var topicFilter: String {
        Self.prefix + shareName + "/" + filter
    }
}
