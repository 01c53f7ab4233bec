import Hummingbird
import TwinModel

/// `POST /v1/fleet/desired`: one desired-state change for many devices at once — the twins a graph query
/// selects, a list of ids, or every registered device of the tenant — committed in one transaction, after
/// which each connected device gets its delta.
struct FleetController {
    let store: TwinStore

    static let members: Set<String> = ["patch", "query", "devices"]

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post("desired", use: patchDesired)
    }

    /// Body `{"patch": {merge patch}, "query"?: "SELECT T FROM DIGITALTWINS T WHERE …" | "devices"?: [id…]}`;
    /// neither target means every registered device. → `{"matched", "changed", "missing"}`.
    @Sendable func patchDesired(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let body = try await request.jsonObject(context: context)
        for key in body.keys where !Self.members.contains(key) {
            throw ProblemDetails.badRequest("unknown member \"\(key)\"; a fleet change takes patch and one of query and devices")
        }
        guard case .object(let patch)? = body["patch"] else { throw ProblemDetails.badRequest("patch must be a JSON object (a merge patch of desired)") }
        let ids: [String]
        switch (body["query"], body["devices"]) {
        case (let query?, nil):
            guard let text = query.stringValue else { throw ProblemDetails.badRequest("query must be a string") }
            ids = try await store.twinIDs(selectedBy: text, in: context.tenant, limit: TwinStore.maximumFleetChange)
        case (nil, let devices?):
            let items = devices.arrayValue ?? []
            let list = items.compactMap(\.stringValue)
            guard devices.arrayValue != nil, list.count == items.count else { throw ProblemDetails.badRequest("devices must be an array of twin ids") }
            ids = Array(Set(list)).sorted()
        case (nil, nil):
            ids = try await store.deviceIDs(in: context.tenant)
        default:
            throw ProblemDetails.badRequest("give query or devices, not both")
        }
        guard ids.count <= TwinStore.maximumFleetChange else {
            throw ProblemDetails.badRequest("the change would touch \(ids.count) twins; the limit is \(TwinStore.maximumFleetChange) per call")
        }
        let outcome = try await store.patchDesired(ofTwins: ids, with: patch, in: context.tenant, changedBy: context.actor)
        return .json([
            "matched": .int(Int64(ids.count)), "changed": .int(Int64(outcome.changed.count)),
            "missing": .array(outcome.missing.map(JSONValue.string)),
        ])
    }
}
