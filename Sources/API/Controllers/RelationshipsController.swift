import Hummingbird
import TwinModel

/// `/v1/twins/{id}/relationships…` and `/v1/twins/{id}/incomingrelationships` (ADT-compatible shapes).
struct RelationshipsController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.put(":id/relationships/:relationshipId", use: put)
        group.get(":id/relationships/:relationshipId", use: get)
        group.delete(":id/relationships/:relationshipId", use: delete)
        group.get(":id/relationships", use: list)
        group.get(":id/incomingrelationships", use: incoming)
    }

    /// `PUT`: creates (201) or replaces (200); `If-None-Match: *` = create only, `If-Match` = etag precondition.
    @Sendable func put(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let source = try context.pathParameter("id")
        let id = try context.pathParameter("relationshipId")
        let body = try await request.jsonObject(context: context)
        if let bodySource = body["$sourceId"], bodySource != .string(source) {
            throw ProblemDetails.badRequest("$sourceId in the body does not match the twin in the path")
        }
        let (target, name, properties) = try RelationshipDTO.decode(body)
        let (relationship, created) = try await store.putRelationship(
            id, from: source, to: target, name: name, properties: properties, in: context.tenant,
            createOnly: request.headers[.ifNoneMatch] == "*", ifMatch: request.headers[.ifMatch])
        return .json(RelationshipDTO.encode(relationship), status: created ? .created : .ok, etag: relationship.etag)
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let source = try context.pathParameter("id")
        let id = try context.pathParameter("relationshipId")
        guard let relationship = try await store.relationship(id, of: source, in: context.tenant) else {
            throw TwinModelError.relationshipNotFound(source: source, id: id)
        }
        return .json(RelationshipDTO.encode(relationship), etag: relationship.etag)
    }

    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        let source = try context.pathParameter("id")
        let id = try context.pathParameter("relationshipId")
        try await store.deleteRelationship(id, of: source, in: context.tenant, ifMatch: request.headers[.ifMatch])
        return .noContent()
    }

    /// `{"value": [...]}`; `?name=` (or ADT's `?relationshipName=`) filters by relationship name.
    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let source = try context.pathParameter("id")
        let name = request.uri.queryParameters["name"] ?? request.uri.queryParameters["relationshipName"]
        let relationships = try await store.relationships(of: source, named: name.map(String.init), in: context.tenant)
        return .json(["value": .array(relationships.map(RelationshipDTO.encode))])
    }

    @Sendable func incoming(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let target = try context.pathParameter("id")
        let relationships = try await store.incomingRelationships(of: target, in: context.tenant)
        return .json(["value": .array(relationships.map(RelationshipDTO.encode))])
    }
}
