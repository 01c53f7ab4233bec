import DequeModule
import Synchronization

/// A bounded queue between the broker's threads (which must not wait) and one consumer task, which takes
/// everything waiting at once so that it can batch.
final class WorkQueue<Item: Sendable>: Sendable {
    private let items = Mutex(Deque<Item>())
    private let capacity: Int
    private let signal: AsyncStream<Void>.Continuation
    /// Yields once after any number of enqueues; the consumer then drains.
    let wakeups: AsyncStream<Void>

    init(capacity: Int) {
        self.capacity = capacity
        (wakeups, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds `item` unless the queue is full; never blocks.
    ///
    /// - Parameter bypassingCapacity: adds it even past the capacity, for work that must not be lost and
    ///   that no device can flood (deltas owed after a desired change, connection changes).
    func enqueue(_ item: Item, bypassingCapacity: Bool = false) -> Bool {
        let added = items.withLock { items in
            guard bypassingCapacity || items.count < capacity else { return false }
            items.append(item)
            return true
        }
        if added { signal.yield() }
        return added
    }

    /// Everything waiting, oldest first.
    func drain() -> [Item] {
        items.withLock { items in
            defer { items.removeAll() }
            return Array(items)
        }
    }

    /// The oldest `limit` items at most; when more wait, the consumer is woken again.
    func drain(upTo limit: Int) -> [Item] {
        let (batch, more) = items.withLock { items in
            let batch = Array(items.prefix(limit))
            items.removeFirst(batch.count)
            return (batch, !items.isEmpty)
        }
        if more { signal.yield() }
        return batch
    }

    /// Items waiting now.
    var count: Int { items.withLock { $0.count } }

    func finish() {
        signal.finish()
    }
}
