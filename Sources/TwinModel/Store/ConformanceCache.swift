import GRDB
import Synchronization

/// Each strict tenant's parsed model set, so writes don't parse every model again.
///
/// An entry is good while the tenant's models have the same count and newest upload time as when it
/// was built; model writes in this process also drop it, and a model write by another process changes
/// the fingerprint.
final class ConformanceCache: Sendable {
    struct Fingerprint: Hashable, Sendable {
        var count: Int
        var newest: Int64
    }

    private let entries = Mutex<[String: (fingerprint: Fingerprint, conformance: ModelConformance)]>([:])

    /// The tenant's conformance checker, parsing its stored models (plus `extra`, not yet stored) when needed.
    func conformance(for tenant: String, extra: [StoredModel] = [], in db: Database) throws -> ModelConformance {
        let row = try Row.fetchOne(
            db, sql: "SELECT COUNT(*), COALESCE(MAX(uploaded_at), 0) FROM model WHERE tenant = ?", arguments: [tenant])
        let fingerprint = Fingerprint(count: row?[0] ?? 0, newest: row?[1] ?? 0)
        if extra.isEmpty, let cached = entries.withLock({ $0[tenant] }), cached.fingerprint == fingerprint {
            return cached.conformance
        }
        var documents = try Row.fetchAll(db, sql: "SELECT id, body FROM model WHERE tenant = ?", arguments: [tenant]).map { row in
            (name: "stored:\(row["id"] as String)", bytes: Array((row["body"] as String).utf8))
        }
        let stored = Set(documents.map(\.name))
        for model in extra where !stored.contains("stored:\(model.id)") {
            documents.append((name: "import:\(model.id)", bytes: model.body.encoded()))
        }
        let models: DTDLModelSet
        do {
            models = try DTDLModelSet.parse(documents: documents, mode: .lenient)
        } catch {
            let first = error.errors.first?.description ?? "unknown problem"
            throw TwinModelError.modelViolation(path: "models", reason: "the tenant's models do not validate: \(first)")
        }
        let conformance = ModelConformance(models: models)
        if extra.isEmpty { entries.withLock { $0[tenant] = (fingerprint, conformance) } }
        return conformance
    }

    func invalidate(tenant: String) {
        _ = entries.withLock { $0.removeValue(forKey: tenant) }
    }
}
