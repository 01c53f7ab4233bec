import Hummingbird
import TwinModel

/// `GET /v1/tenant` and `PATCH /v1/tenant`: the calling tenant's settings.
struct TenantController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: show)
        group.patch(use: update)
    }

    @Sendable func show(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(try await settings(of: context.tenant))
    }

    /// Body `{"validation": "strict"|"lenient"}`. Turning strict on checks the whole graph first and answers
    /// 400 naming the twins and relationships that don't match their models.
    @Sendable func update(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let body = try await request.jsonObject(context: context)
        for key in body.keys where key != "validation" {
            throw ProblemDetails.badRequest("unknown setting \"\(key)\"; the settings are: validation")
        }
        if let value = body["validation"] {
            guard let raw = value.stringValue, let mode = ValidationMode(rawValue: raw) else {
                throw ProblemDetails.badRequest("validation must be \"strict\" or \"lenient\", found \(value.encodedString())")
            }
            try await store.setValidationMode(mode, of: context.tenant)
        }
        return .json(try await settings(of: context.tenant))
    }

    private func settings(of tenant: String) async throws -> JSONValue {
        ["id": .string(tenant), "validation": .string(try await store.validationMode(of: tenant).rawValue)]
    }
}
