import Hummingbird
import TwinModel

/// The request context of every route: who is calling, and in which tenant.
public struct DoppelRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// What the bearer token grants; set by `BearerAuthMiddleware` on every `/v1` route.
    public var grant: AccessGrant?
    /// The tenant this request acts in: the token's, or for admins the one named by `X-Doppel-Tenant`.
    public var tenant: String = TwinStore.defaultTenant

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies above this size are refused with 413 before they are read whole.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }

    /// Throws 403 unless the caller's role is at least `role`.
    public func require(_ role: AccessRole) throws -> AccessGrant {
        guard let grant else {
            throw ProblemDetails(status: .unauthorized, type: "https://doppel.dev/problems/unauthorized", title: "Unauthorized", detail: "a bearer token is required")
        }
        guard grant.role >= role else {
            throw ProblemDetails(
                status: .forbidden, type: "https://doppel.dev/problems/forbidden", title: "Forbidden",
                detail: "this needs the \(role.rawValue) role; the token has \(grant.role.rawValue)")
        }
        return grant
    }

    /// The name recorded in history as the author of a change.
    public var actor: String {
        grant.map { "token:\($0.name)" } ?? "anonymous"
    }
}
