import Hummingbird
import TwinModel

/// `/v1/twins/{id}`: create or replace, read, patch and delete twins (ADT-compatible shapes).
struct TwinsController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.put(":id", use: put)
        group.get(":id", use: get)
        group.patch(":id", use: patch)
        group.delete(":id", use: delete)
    }

    /// `PUT`: creates (201) or replaces (200) the twin's model and properties; `If-None-Match: *` = create only.
    @Sendable func put(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let (model, properties) = try TwinDTO.decode(try await request.jsonObject(context: context), id: id)
        let (twin, created) = try await store.putTwin(
            id, model: model, properties: properties, in: context.tenant,
            createOnly: request.headers[.ifNoneMatch] == "*", ifMatch: request.headers[.ifMatch],
            changedBy: context.actor)
        return .json(TwinDTO.encode(twin), status: created ? .created : .ok, etag: twin.etag)
    }

    /// `GET`: the twin with its `ETag`; `If-None-Match` with the current etag gives 304.
    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        guard let twin = try await store.twin(id, in: context.tenant) else { throw TwinModelError.twinNotFound(id) }
        if request.headers[.ifNoneMatch] == twin.etag {
            var headers = HTTPFields()
            headers[.eTag] = twin.etag
            return Response(status: .notModified, headers: headers)
        }
        return .json(TwinDTO.encode(twin), etag: twin.etag)
    }

    /// `PATCH`: an RFC 6902 JSON Patch (`application/json-patch+json`, or `application/json` with an array)
    /// or an RFC 7396 merge patch (`application/merge-patch+json`) of the twin as `GET` shows it; only
    /// properties and `/$metadata/$model` may change. 204 with the new `ETag`.
    @Sendable func patch(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let mediaType = request.mediaType
        guard [nil, "application/json", "application/json-patch+json", "application/merge-patch+json"].contains(mediaType) else {
            throw Self.unsupportedMediaType
        }
        let body = try await request.json(context: context)
        let edit: TwinEdit
        switch (mediaType, body) {
        case ("application/merge-patch+json", .object(let object)): edit = .merge(object)
        case ("application/merge-patch+json", let other):
            throw TwinModelError.notAnObject(path: "merge patch", found: other.typeName)
        case ("application/json-patch+json", _), ("application/json", .array), (nil, .array):
            do { edit = .json(try JSONPatch(body)) } catch { throw TwinModelError.invalidPatch(error) }
        default:
            throw Self.unsupportedMediaType
        }
        let twin = try await edit.apply(to: id, in: context.tenant, store: store, ifMatch: request.headers[.ifMatch], changedBy: context.actor)
        var headers = HTTPFields()
        headers[.eTag] = twin.etag
        return Response(status: .noContent, headers: headers)
    }

    static let unsupportedMediaType = ProblemDetails(
        status: .unsupportedMediaType, type: "https://doppel.dev/problems/unsupported-media-type", title: "Unsupported Media Type",
        detail: "send a JSON Patch as application/json-patch+json or a merge patch as application/merge-patch+json")

    /// `DELETE`: 204; 409 while relationships exist unless `?cascade=true`.
    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let cascade = request.uri.queryParameters["cascade"].map { $0 == "true" } ?? false
        try await store.deleteTwin(id, in: context.tenant, cascade: cascade, ifMatch: request.headers[.ifMatch])
        return .noContent()
    }
}
