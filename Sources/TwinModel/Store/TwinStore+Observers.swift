import Synchronization

/// Who hears about committed changes: device sync pushes a new delta when a twin's desired state changes.
final class StoreObservers: Sendable {
    private let desired = Mutex<[@Sendable (_ tenant: String, _ twin: Twin) -> Void]>([])

    func add(desired handler: @escaping @Sendable (_ tenant: String, _ twin: Twin) -> Void) {
        desired.withLock { $0.append(handler) }
    }

    func desiredChanged(tenant: String, twin: Twin) {
        for handler in desired.withLock({ $0 }) { handler(tenant, twin) }
    }
}

extension TwinStore {
    /// Calls `handler` after every committed change of a twin's desired section, with the twin as that
    /// change left it, in commit order per writer. It runs on the writer's task, so it must only hand the
    /// change on (e.g. to a queue).
    public func observeDesiredChanges(_ handler: @escaping @Sendable (_ tenant: String, _ twin: Twin) -> Void) {
        observers.add(desired: handler)
    }
}
