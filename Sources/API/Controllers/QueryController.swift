import Hummingbird
import TwinModel

/// `POST /v1/query`: the ADT query language over the tenant's graph, a page at a time.
struct QueryController {
    let store: TwinStore
    let limits: QueryLimits

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(use: query)
    }

    /// Body `{"query": "SELECT …", "continuationToken"?: "…"}` → `{"value": [...], "continuationToken"?: "…"}`.
    @Sendable func query(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.viewer)
        let body = try await request.jsonObject(context: context)
        guard let text = body["query"]?.stringValue else { throw ProblemDetails.badRequest("the body needs a string member \"query\"") }
        let token: String?
        switch body["continuationToken"] {
        case nil, .null?: token = nil
        case .string(let value)?: token = value
        case let other?: throw ProblemDetails.badRequest("continuationToken must be a string, found \(other.typeName)")
        }
        let page = try await store.query(text, in: context.tenant, continuationToken: token, limits: limits)
        var result: JSONObject = ["value": .array(page.items)]
        if let next = page.continuationToken { result["continuationToken"] = .string(next) }
        return .json(.object(result))
    }
}
