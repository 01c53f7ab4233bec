import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import TwinModel

/// Retention of telemetry, per tenant: raw points older than the raw retention are downsampled and written
/// to the archive (``TelemetryArchive``) and then deleted, with the log entries of that age; rollups older
/// than the rollup retention are deleted. It runs once a minute (and after each advance of a simulated
/// clock), a batch of 10,000 points at a time, so it never holds the writer long.
public final class TelemetryRetention: Service {
    let store: TwinStore
    let archive: TelemetryArchive
    let clock: TelemetryClock
    let logger: Logger
    let interval: Duration
    static let batchSize = 10_000
    /// How often rollups are swept: their retention is long, and the sweep reads a tenant's rollups.
    static let rollupSweepInterval: Int64 = 3_600_000
    private let lastRollupSweep = Mutex<[String: Int64]>([:])
    private let archived = Counter(label: "doppel_telemetry_archived_points_total")
    private let downsampled = Counter(label: "doppel_telemetry_downsampled_points_total")

    /// - Parameter archiveDirectory: the archive's root (`DIR/archive` in `doppel serve`).
    public init(store: TwinStore, archiveDirectory: URL, clock: TelemetryClock = .system, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        archive = TelemetryArchive(root: archiveDirectory)
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let wakeups: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if case .simulated(let simulated) = clock { simulated.onAdvance { continuation.yield() } }
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        continuation.yield()
        await cancelWhenGracefulShutdown {
            for await _ in wakeups { await self.runOnce() }
        }
        timer.cancel()
    }

    /// One pass over every tenant with telemetry.
    public func runOnce() async {
        do {
            for tenant in try await store.tenantsWithTelemetry() { try await expire(tenant, now: clock.now) }
        } catch {
            logger.error("telemetry retention failed", metadata: ["error": "\(error)"])
        }
    }

    private func expire(_ tenant: String, now: Timestamp) async throws {
        let settings = try await store.telemetrySettings(of: tenant)
        let rawCutoff = Timestamp(milliseconds: now.milliseconds - settings.rawRetention)
        let rollupCutoff = Timestamp(milliseconds: now.milliseconds - settings.rollupRetention)
        var downsampler = Downsampler(rules: settings.downsampling)
        let sweepRollups = lastRollupSweep.withLock { sweeps in
            guard now.milliseconds - (sweeps[tenant] ?? .min / 2) >= Self.rollupSweepInterval else { return false }
            sweeps[tenant] = now.milliseconds
            return true
        }
        var rollupsBefore: Timestamp? = sweepRollups ? rollupCutoff : nil
        while true {
            let points = try await store.expiringTelemetryPoints(in: tenant, before: rawCutoff, limit: Self.batchSize)
            let kept = points.filter { downsampler.keep(twin: $0.twin, metric: $0.metric, at: $0.at, value: $0.value) }
            for (day, points) in Dictionary(grouping: kept, by: { TelemetryRollup.bucket(of: $0.at, width: 86_400_000) }) {
                try archive.write(points, tenant: tenant, day: day)
            }
            try await store.deleteExpiredTelemetry(points: points.map(\.row), in: tenant, logBefore: rawCutoff, rollupsBefore: rollupsBefore)
            rollupsBefore = nil
            archived.increment(by: kept.count)
            downsampled.increment(by: points.count - kept.count)
            if !points.isEmpty {
                logger.info("telemetry archived", metadata: ["doppel.tenant": "\(tenant)", "archived": "\(kept.count)", "dropped": "\(points.count - kept.count)"])
            }
            if points.count < Self.batchSize { return }
        }
    }
}
