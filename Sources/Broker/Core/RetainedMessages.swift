import NIOCore

/// The last retained message of each topic (MQTT §3.3.1.3).
struct RetainedMessages {
    private(set) var messages: [String: MQTTMessage] = [:]
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Stores `message` for its topic, or clears the topic when the payload is empty (MQTT-3.3.1-6).
    /// Returns `false` when a new topic would go past the limit and was not stored.
    @discardableResult
    mutating func update(with message: MQTTMessage) -> Bool {
        if message.payload.readableBytes == 0 {
            messages.removeValue(forKey: message.topic)
            return true
        }
        if messages[message.topic] == nil, messages.count >= limit { return false }
        messages[message.topic] = message
        return true
    }

    /// The retained messages whose topics `filter` matches, unexpired, in topic order.
    func matching(_ filter: String, now: NIODeadline) -> [MQTTMessage] {
        var tree = TopicTree<Int>()
        guard (try? tree.insert(0, for: filter)) != nil else { return [] }
        var result: [MQTTMessage] = []
        for (topic, message) in messages where !message.isExpired(at: now) {
            tree.forEachMatch(of: topic) { _ in result.append(message) }
        }
        return result.sorted { $0.topic < $1.topic }
    }
}
