import Hummingbird
import TwinModel

/// A change to a twin as ADT clients send it: a patch of the twin's JSON view.
enum TwinEdit {
    case json(JSONPatch)
    case merge(JSONObject)

    /// Applies the patch to the twin's view and stores model and properties with an etag precondition;
    /// without the caller's `If-Match`, a concurrent change is retried against the new state.
    func apply(to id: String, in tenant: String, store: TwinStore, ifMatch: String?, changedBy: String) async throws -> Twin {
        // `*` only says the twin must exist; the write still must not overwrite a change made meanwhile.
        let ifMatch = ifMatch == "*" ? nil : ifMatch
        var attempts = 0
        while true {
            attempts += 1
            guard let current = try await store.twin(id, in: tenant) else { throw TwinModelError.twinNotFound(id) }
            let view = TwinDTO.encode(current)
            let edited: JSONValue
            switch self {
            case .json(let patch):
                do { edited = try patch.applied(to: view) } catch { throw TwinModelError.invalidPatch(error) }
            case .merge(let patch):
                edited = view.mergePatched(with: .object(patch))
            }
            guard case .object(let object) = edited else { throw TwinModelError.notAnObject(path: "twin", found: edited.typeName) }
            if object["$dtId"] != .string(id) { throw ProblemDetails.badRequest("$dtId cannot be changed") }
            let (model, properties) = try TwinDTO.decode(object, id: id)
            do {
                return try await store.putTwin(
                    id, model: model, properties: properties, in: tenant, ifMatch: ifMatch ?? current.etag, changedBy: changedBy
                ).twin
            } catch TwinModelError.preconditionFailed where ifMatch == nil && attempts < 5 {
                continue
            }
        }
    }
}
