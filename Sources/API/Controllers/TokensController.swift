import Hummingbird
import TwinModel

/// `POST /v1/tokens`: admins mint bearer tokens for a tenant and role.
struct TokensController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(use: create)
    }

    /// Body `{"role": "viewer"|"operator"|"admin", "name": "…", "tenant"?: "…"}` → 201 with the token, shown once.
    /// A tenant that does not exist yet is created; only admins of the default tenant may name another one.
    @Sendable func create(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let body = try await request.jsonObject(context: context)
        guard let roleName = body["role"]?.stringValue, let role = AccessRole(rawValue: roleName) else {
            throw ProblemDetails.badRequest("role must be one of viewer, operator, admin")
        }
        guard let name = body["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 128 else {
            throw ProblemDetails.badRequest("name must be a string of 1 to 128 bytes")
        }
        let tenant: String
        switch body["tenant"] {
        case nil: tenant = context.tenant
        case .string(let value)?:
            guard value == context.tenant || context.grant?.tenant == TwinStore.defaultTenant else {
                throw ProblemDetails(
                    status: .forbidden, type: "https://doppel.dev/problems/forbidden", title: "Forbidden",
                    detail: "only admin tokens of the default tenant may mint tokens for another tenant")
            }
            tenant = value
        case let other?: throw ProblemDetails.badRequest("tenant must be a string, found \(other.typeName)")
        }
        try await store.ensureTenant(tenant)
        let token = try await store.createAccessToken(tenant: tenant, role: role, name: name)
        return .json(["token": .string(token), "tenant": .string(tenant), "role": .string(role.rawValue), "name": .string(name)], status: .created)
    }
}
