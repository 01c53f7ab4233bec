import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Keeps the broker's sessions and retained messages in `broker.sqlite`, so a restart with the same data
/// directory resumes them.
///
/// State is restored when this is created, before any listener runs. Changes are written behind, in one
/// transaction every ``interval`` (never one per message), and once more at shutdown after the listeners
/// have closed; a crash loses at most the last interval's changes.
public final class BrokerPersistence: Service {
    public let core: BrokerCore
    let store: BrokerStore
    let interval: Duration
    let logger: Logger

    public init(
        core: BrokerCore, path: String, interval: Duration = .milliseconds(200),
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(), logger: Logger
    ) throws {
        self.core = core
        self.store = try BrokerStore(path: path)
        self.interval = interval
        self.logger = logger
        let clock = WallClock.now()
        let saved = try store.load(clock: clock)
        if saved.unreadableMessages > 0 {
            logger.error("skipped unreadable stored messages", metadata: ["mqtt.unreadable": "\(saved.unreadableMessages)"])
        }
        core.restore(saved, clock: clock, eventLoop: eventLoop)
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.interval)
                self.flush()
            }
        }
        flush()
    }

    /// Writes what changed since the last write; on failure the changes stay marked for the next one.
    public func flush() {
        let clock = WallClock.now()
        let batch = core.takePersistenceBatch(clock: clock)
        guard !batch.isEmpty else { return }
        do {
            try store.write(batch, clock: clock)
        } catch {
            logger.error("cannot write broker state; will retry", metadata: ["error": "\(error)"])
            for clientID in batch.deletedSessions + batch.sessions.map(\.clientID) { core.markDirty(session: clientID) }
            for topic in batch.deletedRetained + batch.retained.map(\.topic) { core.markDirty(retained: topic) }
        }
    }
}
