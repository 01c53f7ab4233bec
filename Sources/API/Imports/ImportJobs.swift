import Foundation
import TwinModel

/// Import jobs: submitted by `POST /v1/imports`, run one at a time by `ImportRunner`, read by `GET`.
///
/// Jobs live in memory (the last `capacity` are kept); an import itself is one transaction, so a job
/// lost to a restart left nothing half-imported and can simply be submitted again.
public actor ImportJobs {
    public enum Status: String, Sendable { case queued, running, succeeded, failed }

    public struct Job: Sendable {
        public var id: String
        public var tenant: String
        public var status: Status
        public var dryRun: Bool
        public var summary: ImportSummary?
        public var error: String?
        public var submittedAt: Timestamp
        public var finishedAt: Timestamp?
    }

    struct Work: Sendable {
        var id: String
        var file: ADTGraphFile
        var tenant: String
        var changedBy: String
        var dryRun: Bool
    }

    private var jobs: [String: Job] = [:]
    private var order: [String] = []
    private let capacity: Int
    private let work: AsyncStream<Work>
    private let submissions: AsyncStream<Work>.Continuation

    public init(capacity: Int = 1000) {
        self.capacity = capacity
        (work, submissions) = AsyncStream.makeStream(of: Work.self)
    }

    /// Imports waiting or running at once; each holds its parsed file in memory.
    public static let maximumPending = 4

    /// Queues an import; `nil` when `maximumPending` are already waiting or running.
    func submit(_ file: ADTGraphFile, tenant: String, changedBy: String, dryRun: Bool) -> Job? {
        let pending = jobs.values.filter { $0.status == .queued || $0.status == .running }.count
        guard pending < Self.maximumPending else { return nil }
        let job = Job(id: UUID().uuidString.lowercased(), tenant: tenant, status: .queued, dryRun: dryRun, submittedAt: .now)
        jobs[job.id] = job
        order.append(job.id)
        if order.count > capacity { jobs.removeValue(forKey: order.removeFirst()) }
        submissions.yield(Work(id: job.id, file: file, tenant: tenant, changedBy: changedBy, dryRun: dryRun))
        return job
    }

    /// The job, only for the tenant that submitted it.
    func job(_ id: String, tenant: String) -> Job? {
        jobs[id].flatMap { $0.tenant == tenant ? $0 : nil }
    }

    /// Runs submitted jobs in order until cancelled.
    func run(on store: TwinStore) async {
        for await item in work {
            update(item.id) { $0.status = .running }
            do {
                let summary = try await store.importFile(item.file, in: item.tenant, changedBy: item.changedBy, dryRun: item.dryRun)
                update(item.id) {
                    $0.status = .succeeded
                    $0.summary = summary
                }
            } catch {
                update(item.id) {
                    $0.status = .failed
                    $0.error = (error as? TwinModelError)?.description ?? "\(error)"
                }
            }
            if Task.isCancelled { return }
        }
    }

    private func update(_ id: String, _ change: (inout Job) -> Void) {
        guard var job = jobs[id] else { return }
        change(&job)
        if job.status == .succeeded || job.status == .failed { job.finishedAt = .now }
        jobs[id] = job
    }
}
