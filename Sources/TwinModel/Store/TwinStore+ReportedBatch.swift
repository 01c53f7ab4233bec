import GRDB
import OrderedCollections

/// One device's reported-state merge patch, as the telemetry and sync paths hand them over in batches.
public struct ReportedPatch: Sendable, Hashable {
    public var tenant: String
    public var twin: String
    public var patch: JSONObject
    public var changedBy: String

    public init(tenant: String, twin: String, patch: JSONObject, changedBy: String) {
        self.tenant = tenant
        self.twin = twin
        self.patch = patch
        self.changedBy = changedBy
    }
}

/// What an accepted reported patch led to.
public struct ReportedOutcome: Sendable, Hashable {
    /// The reported section's version after this patch.
    public var reportedVersion: Int64
    /// The twin's version after this patch.
    public var twinVersion: Int64
}

extension TwinStore {
    /// Applies many reported-state patches in one transaction: the hot path of telemetry and twin sync.
    ///
    /// Each patch succeeds or fails on its own (an invalid patch or unknown twin does not hold back the
    /// rest); outcomes come back in input order. Several patches to one twin are applied in order, and
    /// the twin row is read and written once per batch.
    public func applyReported(_ batch: [ReportedPatch], at time: Timestamp = .now) async throws -> [Result<ReportedOutcome, TwinModelError>] {
        let limits = configuration.documentLimits
        return try await writer.write { db in try Self.applyReported(batch, at: time, limits: limits, in: db) }
    }

    /// The reported section of one twin while a batch works on it.
    private struct ReportedState {
        var pk: Int64
        var section: TwinSection
        var version: Int64
        var dirty = false
    }

    private struct TwinKey: Hashable {
        var tenant: String
        var twin: String
    }

    static func applyReported(
        _ batch: [ReportedPatch],
        at time: Timestamp,
        limits: DocumentLimits,
        in db: Database
    ) throws -> [Result<ReportedOutcome, TwinModelError>] {
        let select = try db.cachedStatement(
            sql: "SELECT pk, reported, reported_meta, reported_version, version FROM twin WHERE tenant = ? AND id = ?"
        )
        var states: [TwinKey: ReportedState] = [:]
        var order: [TwinKey] = []
        var outcomes: [Result<ReportedOutcome, TwinModelError>] = []
        outcomes.reserveCapacity(batch.count)
        for item in batch {
            let key = TwinKey(tenant: item.tenant, twin: item.twin)
            var state: ReportedState
            if let cached = states[key] {
                state = cached
            } else {
                guard let row = try Row.fetchOne(select, arguments: [item.tenant, item.twin]) else {
                    outcomes.append(.failure(.twinNotFound(item.twin)))
                    continue
                }
                state = ReportedState(
                    pk: row[0],
                    section: TwinSection(
                        value: try TwinRow.object(row[1]),
                        version: row[3],
                        metadata: try TwinRow.metadata(row[2])
                    ),
                    version: row[4]
                )
                order.append(key)
            }
            do {
                let change = try state.section.apply(mergePatch: item.patch, kind: .reported, at: time, limits: limits)
                state.version += 1
                state.dirty = true
                try record(change, twin: item.twin, tenant: item.tenant, changedBy: item.changedBy, in: db)
                outcomes.append(.success(ReportedOutcome(reportedVersion: state.section.version, twinVersion: state.version)))
            } catch let error as TwinModelError {
                outcomes.append(.failure(error))
            }
            states[key] = state
        }
        let update = try db.cachedStatement(
            sql: "UPDATE twin SET reported = ?, reported_meta = ?, reported_version = ?, version = ?, updated_at = ? WHERE pk = ?"
        )
        for key in order {
            guard let state = states[key], state.dirty else { continue }
            try update.execute(arguments: [
                TwinRow.text(state.section.value), TwinRow.text(state.section.metadata), state.section.version,
                state.version, time.milliseconds, state.pk,
            ])
        }
        return outcomes
    }
}
