import Synchronization

/// The committed reported section of recently written twins, so the batch path need not read and
/// parse them again.
///
/// Filled only after a transaction commits and emptied of a twin by every other write to it, so it
/// never holds state the database does not. Bounded: past `capacity` it starts over.
final class ReportedStateCache: Sendable {
    struct Key: Hashable, Sendable {
        var tenant: String
        var twin: String
    }

    struct Entry: Sendable {
        var pk: Int64
        var section: TwinSection
        var twinVersion: Int64
    }

    private let entries = Mutex<[Key: Entry]>([:])
    /// SQLite's `data_version` when the entries were last known good; it changes only when another
    /// connection — another process — commits to the file.
    private let dataVersion = Mutex<Int64>(-1)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func entry(for key: Key) -> Entry? {
        entries.withLock { $0[key] }
    }

    /// Records committed states.
    func store(_ committed: [Key: Entry]) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries.count + committed.count > capacity { entries.removeAll(keepingCapacity: true) }
            entries.merge(committed) { _, new in new }
        }
    }

    /// Forgets a twin whose row is about to change by another path.
    func invalidate(tenant: String, twin: String) {
        _ = entries.withLock { $0.removeValue(forKey: Key(tenant: tenant, twin: twin)) }
    }

    /// Empties the cache when another process has written the database since the last check.
    func revalidate(dataVersion current: Int64) {
        let previous = dataVersion.withLock { known in
            let previous = known
            known = current
            return previous
        }
        let changed = previous != current
        if changed { removeAll() }
    }

    /// Forgets everything, e.g. after a cascade or a change of many rows.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
