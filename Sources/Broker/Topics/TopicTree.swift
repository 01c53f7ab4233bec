/// Subscriptions by topic filter, matched against topic names (MQTT §4.7).
///
/// A trie of topic levels kept in one array, so the tree is a plain value: copying it is copy-on-write
/// and it is `Sendable` whenever the subscribers are. Matching visits subscribers through a closure and
/// allocates nothing: levels are looked up as slices of the topic's own UTF-8 bytes, compared byte by
/// byte as MQTT requires (never Unicode-normalised like `String` equality).
///
/// - `+` matches exactly one level, `#` any number of levels including none, so `sport/#` also
///   matches `sport`;
/// - topics starting with `$` (`$SYS/…`) are not matched by filters starting with a wildcard
///   (MQTT-4.7.2-1).
///
/// The tree stores whatever it is given: shared subscriptions are inserted under their inner filter, and
/// a subscriber subscribed through overlapping filters is visited once per matching filter.
public struct TopicTree<Subscriber> {
    private var nodes: [Node] = [Node(parent: -1, key: nil)]
    private var freeNodes: [Int] = []
    /// How many subscriptions the tree holds.
    public private(set) var count = 0

    private static var root: Int { 0 }

    public init() {}

    /// Whether the tree holds no subscription.
    public var isEmpty: Bool { count == 0 }

    /// Adds `subscriber` under `filter`, which must be a valid, non-shared topic filter.
    public mutating func insert(_ subscriber: Subscriber, for filter: String) throws(MQTTProtocolError) {
        try MQTTTopic.validateFilter(filter)
        var node = Self.root
        var levels = TopicLevels(filter)
        while let level = levels.next() {
            if level.count == 1, level.first == MQTTTopic.multiLevelWildcard {
                nodes[node].multiLevelSubscribers.append(subscriber)
                count += 1
                return
            }
            node = child(of: node, for: level)
        }
        nodes[node].subscribers.append(subscriber)
        count += 1
    }

    /// Removes the subscribers under `filter` for which `predicate` is true; returns how many it removed.
    @discardableResult
    public mutating func remove(for filter: String, where predicate: (Subscriber) throws -> Bool) rethrows -> Int {
        var node = Self.root
        var levels = TopicLevels(filter)
        var isMultiLevel = false
        while let level = levels.next() {
            if level.count == 1, level.first == MQTTTopic.multiLevelWildcard {
                isMultiLevel = true
                break
            }
            guard let next = existingChild(of: node, for: level) else { return 0 }
            node = next
        }
        let removed: Int
        if isMultiLevel {
            let before = nodes[node].multiLevelSubscribers.count
            try nodes[node].multiLevelSubscribers.removeAll(where: predicate)
            removed = before - nodes[node].multiLevelSubscribers.count
        } else {
            let before = nodes[node].subscribers.count
            try nodes[node].subscribers.removeAll(where: predicate)
            removed = before - nodes[node].subscribers.count
        }
        count -= removed
        prune(from: node)
        return removed
    }

    /// Calls `body` with every subscriber whose filter matches `topic`, once per matching filter.
    public func forEachMatch(of topic: String, _ body: (Subscriber) throws -> Void) rethrows {
        let utf8 = topic.utf8
        // MQTT-4.7.2-1: wildcards at the first level do not reach `$` topics.
        let isDollarTopic = utf8.first == UInt8(ascii: "$")
        try visit(Self.root, remaining: utf8[...], isFirstLevel: true, isDollarTopic: isDollarTopic, body)
    }

    /// Appends every subscriber whose filter matches `topic` to `result` (keeping what it held), so a
    /// caller can reuse one array's storage across messages.
    public func match(_ topic: String, into result: inout [Subscriber]) {
        forEachMatch(of: topic) { result.append($0) }
    }

    private func visit(
        _ index: Int,
        remaining: Substring.UTF8View?,
        isFirstLevel: Bool,
        isDollarTopic: Bool,
        _ body: (Subscriber) throws -> Void
    ) rethrows {
        let node = nodes[index]
        let wildcardsApply = !(isFirstLevel && isDollarTopic)
        if wildcardsApply {
            for subscriber in node.multiLevelSubscribers { try body(subscriber) }
        }
        guard let remaining else {
            for subscriber in node.subscribers { try body(subscriber) }
            return
        }
        let level: Substring.UTF8View
        let rest: Substring.UTF8View?
        if let slash = remaining.firstIndex(of: MQTTTopic.separator) {
            level = remaining[..<slash]
            rest = remaining[remaining.index(after: slash)...]
        } else {
            level = remaining
            rest = nil
        }
        if let literal = node.children[LevelKey(level)] {
            try visit(literal, remaining: rest, isFirstLevel: false, isDollarTopic: isDollarTopic, body)
        }
        if wildcardsApply, let wildcard = node.singleLevelWildcard {
            try visit(wildcard, remaining: rest, isFirstLevel: false, isDollarTopic: isDollarTopic, body)
        }
    }

    private mutating func child(of parent: Int, for level: Substring.UTF8View) -> Int {
        if let existing = existingChild(of: parent, for: level) { return existing }
        let isWildcard = level.count == 1 && level.first == MQTTTopic.singleLevelWildcard
        // The key owns a copy of the level so the tree does not keep whole filter strings alive.
        let key = isWildcard ? nil : LevelKey(String(Substring(level)).utf8[...])
        let node = Node(parent: parent, key: key)
        let index: Int
        if let free = freeNodes.popLast() {
            nodes[free] = node
            index = free
        } else {
            nodes.append(node)
            index = nodes.count - 1
        }
        if let key {
            nodes[parent].children[key] = index
        } else {
            nodes[parent].singleLevelWildcard = index
        }
        return index
    }

    private func existingChild(of parent: Int, for level: Substring.UTF8View) -> Int? {
        if level.count == 1, level.first == MQTTTopic.singleLevelWildcard {
            return nodes[parent].singleLevelWildcard
        }
        return nodes[parent].children[LevelKey(level)]
    }

    /// Frees `index` and its ancestors while they hold nothing.
    private mutating func prune(from index: Int) {
        var index = index
        while index != Self.root, nodes[index].isUnused {
            let node = nodes[index]
            if let key = node.key {
                nodes[node.parent].children[key] = nil
            } else {
                nodes[node.parent].singleLevelWildcard = nil
            }
            nodes[index] = Node(parent: -1, key: nil)
            freeNodes.append(index)
            index = node.parent
        }
    }
}

extension TopicTree: Sendable where Subscriber: Sendable {}

extension TopicTree where Subscriber: Equatable {
    /// Removes one subscription of `subscriber` under `filter`; returns whether it was there.
    @discardableResult
    public mutating func remove(_ subscriber: Subscriber, for filter: String) -> Bool {
        var removedOne = false
        return remove(for: filter) { candidate in
            guard !removedOne, candidate == subscriber else { return false }
            removedOne = true
            return true
        } == 1
    }
}

extension TopicTree {
    fileprivate struct Node {
        var children: [LevelKey: Int] = [:]
        var singleLevelWildcard: Int?
        /// Subscribers whose filter ends at this node.
        var subscribers: [Subscriber] = []
        /// Subscribers whose filter continues with `#` after this node.
        var multiLevelSubscribers: [Subscriber] = []
        var parent: Int
        /// The level in the parent's `children`, `nil` for the parent's `+` child.
        var key: LevelKey?

        init(parent: Int, key: LevelKey?) {
            self.parent = parent
            self.key = key
        }

        var isUnused: Bool {
            subscribers.isEmpty && multiLevelSubscribers.isEmpty && children.isEmpty && singleLevelWildcard == nil
        }
    }
}

extension TopicTree.Node: Sendable where Subscriber: Sendable {}
