import Foundation
import HTTPTypes
import Hummingbird
import TwinModel

/// Resolves `Authorization: Bearer …` to a grant and the request's tenant; refuses everything else with 401.
///
/// Admins of the `default` tenant (the operators of the installation) may act in another tenant by naming
/// it in `X-Doppel-Tenant`; for anyone else the header is refused, so tenants stay isolated.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = DoppelRequestContext
    let store: TwinStore

    static let tenantHeader = HTTPField.Name("X-Doppel-Tenant")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization] else {
            throw Self.unauthorized("a bearer token is required (Authorization: Bearer …)")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        guard let grant = try await store.grant(for: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw Self.unauthorized("the bearer token is not valid")
        }
        var context = context
        context.grant = grant
        context.tenant = grant.tenant
        if let requested = request.headers[Self.tenantHeader], requested != grant.tenant {
            guard grant.role == .admin, grant.tenant == TwinStore.defaultTenant else {
                throw ProblemDetails(
                    status: .forbidden, type: "https://doppel.dev/problems/forbidden", title: "Forbidden",
                    detail: "only admin tokens of the default tenant may name another tenant with X-Doppel-Tenant")
            }
            guard try await store.tenants().contains(requested) else { throw TwinModelError.tenantNotFound(requested) }
            context.tenant = requested
        }
        return try await next(request, context)
    }

    static func unauthorized(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .unauthorized, type: "https://doppel.dev/problems/unauthorized", title: "Unauthorized", detail: detail)
    }
}
