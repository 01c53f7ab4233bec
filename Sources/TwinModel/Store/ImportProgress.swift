import Synchronization

/// Reports how far an import has come: rows written out of rows to write, every `step` rows.
///
/// The import runs inside one write transaction, so progress is told from there, on the writer's thread.
public final class ImportProgress: Sendable {
    private let done = Mutex(0)
    let total: Int
    let step: Int
    private let report: @Sendable (_ done: Int, _ total: Int) -> Void

    public init(total: Int, step: Int = 10_000, report: @escaping @Sendable (_ done: Int, _ total: Int) -> Void) {
        self.total = total
        self.step = max(1, step)
        self.report = report
    }

    /// One more row written.
    func advance() {
        let count = done.withLock { done in
            done += 1
            return done
        }
        if count % step == 0 || count == total { report(count, total) }
    }
}
