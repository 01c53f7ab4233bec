import Synchronization

/// Who hears about committed changes: device sync pushes a new delta when a twin's desired state changes.
final class StoreObservers: Sendable {
    private let desired = Mutex<[@Sendable (_ tenant: String, _ twin: Twin) -> Void]>([])

    func add(desired handler: @escaping @Sendable (_ tenant: String, _ twin: Twin) -> Void) {
        desired.withLock { $0.append(handler) }
    }

    private let graph = Mutex<[@Sendable (_ tenant: String) -> Void]>([])

    func add(graph handler: @escaping @Sendable (_ tenant: String) -> Void) {
        graph.withLock { $0.append(handler) }
    }

    func graphChanged(tenant: String) {
        for handler in graph.withLock({ $0 }) { handler(tenant) }
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

    /// Calls `handler` after a write that may change what a graph query selects: twins created, deleted or
    /// given another model or other properties, relationships created or deleted, imports. It runs on the
    /// writer's task (also after a write that failed), so it must only note the change.
    public func observeGraphChanges(_ handler: @escaping @Sendable (_ tenant: String) -> Void) {
        observers.add(graph: handler)
    }
}
