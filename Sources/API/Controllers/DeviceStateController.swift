import Hummingbird
import TwinModel

/// `/v1/twins/{id}/state`: a device twin's desired and reported state, delta, metadata and versions.
struct DeviceStateController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(":id/state", use: get)
        group.patch(":id/state/desired", use: patchDesired)
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        guard let twin = try await store.twin(id, in: context.tenant) else { throw TwinModelError.twinNotFound(id) }
        return .json(DeviceStateDTO.encode(twin, rejections: try await store.desiredRejections(of: twin, in: context.tenant)), etag: twin.etag)
    }

    /// A merge patch of desired state (`null` deletes), with `If-Match`; 200 with the new state.
    @Sendable func patchDesired(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        if let mediaType = request.mediaType, mediaType != "application/merge-patch+json", mediaType != "application/json" {
            throw ProblemDetails(
                status: .unsupportedMediaType, type: "https://doppel.dev/problems/unsupported-media-type",
                title: "Unsupported Media Type", detail: "desired state takes a merge patch (application/merge-patch+json)")
        }
        let patch = try await request.jsonObject(context: context)
        let twin = try await store.patchTwin(
            id, section: .desired, with: .merge(patch), in: context.tenant, ifMatch: request.headers[.ifMatch],
            changedBy: context.actor)
        return .json(DeviceStateDTO.encode(twin, rejections: try await store.desiredRejections(of: twin, in: context.tenant)), etag: twin.etag)
    }
}
