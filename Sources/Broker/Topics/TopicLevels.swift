/// One topic level as UTF-8 bytes, hashed and compared byte by byte.
struct LevelKey: Hashable, Sendable {
    let bytes: Substring.UTF8View

    init(_ bytes: Substring.UTF8View) {
        self.bytes = bytes
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bytes.elementsEqual(rhs.bytes)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = bytes.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            // Bridged strings have no contiguous UTF-8; hash the same bytes the same way.
            Array(bytes).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

/// Iterates the levels of a topic or filter: `a//b` has three, `/` two, every string at least one.
struct TopicLevels {
    private var remaining: Substring.UTF8View?

    init(_ topic: String) {
        self.remaining = topic.utf8[...]
    }

    mutating func next() -> Substring.UTF8View? {
        guard let current = remaining else { return nil }
        if let slash = current.firstIndex(of: MQTTTopic.separator) {
            remaining = current[current.index(after: slash)...]
            return current[..<slash]
        }
        remaining = nil
        return current
    }
}
