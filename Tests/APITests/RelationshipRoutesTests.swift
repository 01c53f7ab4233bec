import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/twins/{id}/relationships and incomingrelationships")
struct RelationshipRoutesTests {
    /// Twins `floor-1`, `room-1` and `room-2`, then `body`.
    static func withTwins(_ body: @Sendable (APISession) async throws -> Void) async throws {
        try await APISession.run { api in
            for id in ["floor-1", "room-1", "room-2"] { try await api.putTwin(id) }
            try await body(api)
        }
    }

    @Test func putCreatesARelationshipInADTShape() async throws {
        try await Self.withTwins { api in
            let response = try await api.send(
                .put, "/v1/twins/floor-1/relationships/r1",
                body: #"{"$targetId": "room-1", "$relationshipName": "contains", "weight": 2, "tags": ["a"]}"#)
            #expect(response.status == .created)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            try expectJSON(
                try response.json(),
                #"""
                {"$relationshipId": "r1", "$sourceId": "floor-1", "$targetId": "room-1", "$relationshipName": "contains",
                 "$etag": "W/\"1-1\"", "weight": 2, "tags": ["a"]}
                """#)
        }
    }

    @Test func putAgainReplacesTargetNameAndProperties() async throws {
        try await Self.withTwins { api in
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let response = try await api.send(
                .put, "/v1/twins/floor-1/relationships/r1",
                body: #"{"$sourceId": "floor-1", "$targetId": "room-2", "$relationshipName": "serves", "since": 2020}"#)
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == #"W/"1-2""#)
            try expectJSON(
                try response.json(),
                #"""
                {"$relationshipId": "r1", "$sourceId": "floor-1", "$targetId": "room-2", "$relationshipName": "serves",
                 "$etag": "W/\"1-2\"", "since": 2020}
                """#)
            let incoming = try await api.send(.get, "/v1/twins/room-1/incomingrelationships")
            try expectJSON(try incoming.json(), #"{"value": []}"#)
        }
    }

    @Test func missingTwinsAre404() async throws {
        try await Self.withTwins { api in
            let target = try await api.send(
                .put, "/v1/twins/floor-1/relationships/r1", body: #"{"$targetId": "ghost", "$relationshipName": "contains"}"#)
            try target.expectProblem(.notFound, type: ProblemType.notFound, detail: #"twin "ghost" not found"#)
            let source = try await api.send(
                .put, "/v1/twins/ghost/relationships/r1", body: #"{"$targetId": "room-1", "$relationshipName": "contains"}"#)
            try source.expectProblem(.notFound, detail: #"twin "ghost" not found"#)
            let list = try await api.send(.get, "/v1/twins/ghost/relationships")
            try list.expectProblem(.notFound, detail: #"twin "ghost" not found"#)
            let incoming = try await api.send(.get, "/v1/twins/ghost/incomingrelationships")
            try incoming.expectProblem(.notFound, detail: #"twin "ghost" not found"#)
        }
    }

    @Test(arguments: [
        (#"{"$relationshipName": "contains"}"#, "a relationship needs a string $targetId"),
        (#"{"$targetId": 7, "$relationshipName": "contains"}"#, "a relationship needs a string $targetId"),
        (#"{"$targetId": "room-1"}"#, "a relationship needs a string $relationshipName"),
        (#"{"$sourceId": "room-2", "$targetId": "room-1", "$relationshipName": "contains"}"#,
         "$sourceId in the body does not match the twin in the path"),
        (#"{"$targetId": "room-1", "$relationshipName": "has part"}"#,
         #"invalid relationship name id "has part": may not contain '/', '+', '#', spaces or control characters"#),
        ("[]", "body must be a JSON object, found array"),
    ])
    func invalidBodiesAre400(body: String, detail: String) async throws {
        try await Self.withTwins { api in
            let response = try await api.send(.put, "/v1/twins/floor-1/relationships/r1", body: body)
            try response.expectProblem(.badRequest, detail: detail)
            #expect(try await api.store.relationship("r1", of: "floor-1", in: "default") == nil)
        }
    }

    @Test func invalidRelationshipIdsAre400() async throws {
        try await Self.withTwins { api in
            let response = try await api.send(
                .put, "/v1/twins/floor-1/relationships/r+1", body: #"{"$targetId": "room-1", "$relationshipName": "contains"}"#)
            try response.expectProblem(
                .badRequest, type: ProblemType.invalidDocument,
                detail: #"invalid relationship id "r+1": may not contain '/', '+', '#', spaces or control characters"#)
        }
    }

    @Test func ifNoneMatchStarCreatesOnly() async throws {
        try await Self.withTwins { api in
            let body = #"{"$targetId": "room-1", "$relationshipName": "contains"}"#
            let created = try await api.send(.put, "/v1/twins/floor-1/relationships/r1", headers: [.ifNoneMatch: "*"], body: body)
            #expect(created.status == .created)
            let again = try await api.send(.put, "/v1/twins/floor-1/relationships/r1", headers: [.ifNoneMatch: "*"], body: body)
            try again.expectProblem(
                .preconditionFailed, type: ProblemType.alreadyExists, detail: #"relationship "r1" of twin "floor-1" already exists"#)
        }
    }

    @Test func ifMatchGuardsReplacementAndDeletion() async throws {
        try await Self.withTwins { api in
            let body = #"{"$targetId": "room-1", "$relationshipName": "contains"}"#
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let stale = try await api.send(.put, "/v1/twins/floor-1/relationships/r1", headers: [.ifMatch: #"W/"1-7""#], body: body)
            try stale.expectProblem(.preconditionFailed, detail: #"precondition failed: expected etag W/"1-7", current is W/"1-1""#)
            let staleDelete = try await api.send(.delete, "/v1/twins/floor-1/relationships/r1", headers: [.ifMatch: #"W/"1-7""#])
            try staleDelete.expectProblem(.preconditionFailed)
            let delete = try await api.send(.delete, "/v1/twins/floor-1/relationships/r1", headers: [.ifMatch: #"W/"1-1""#])
            #expect(delete.status == .noContent)
        }
    }

    @Test func getReturnsOneRelationshipWithItsETag() async throws {
        try await Self.withTwins { api in
            let put = try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let response = try await api.send(.get, "/v1/twins/floor-1/relationships/r1")
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            #expect(try response.json() == put)
            let missing = try await api.send(.get, "/v1/twins/floor-1/relationships/nope")
            try missing.expectProblem(.notFound, type: ProblemType.notFound, detail: #"relationship "nope" of twin "floor-1" not found"#)
            let otherSource = try await api.send(.get, "/v1/twins/room-1/relationships/r1")
            try otherSource.expectProblem(.notFound, detail: #"relationship "r1" of twin "room-1" not found"#)
        }
    }

    @Test func listsAreValueArraysFilteredByName() async throws {
        try await Self.withTwins { api in
            try await api.putRelationship("r3", from: "floor-1", to: "room-2", name: "contains")
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            try await api.putRelationship("r2", from: "floor-1", to: "room-2", name: "feeds")
            try await api.putRelationship("x1", from: "room-1", to: "room-2", name: "adjacentTo")

            func ids(_ query: String) async throws -> [String] {
                let response = try await api.send(.get, "/v1/twins/floor-1/relationships\(query)")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = try response.json()
                #expect(body.objectValue.map { Array($0.keys) } == ["value"])
                return (body["value"]?.arrayValue ?? []).compactMap { $0["$relationshipId"]?.stringValue }
            }
            #expect(try await ids("") == ["r1", "r2", "r3"])
            #expect(try await ids("?name=contains") == ["r1", "r3"])
            #expect(try await ids("?relationshipName=feeds") == ["r2"])
            #expect(try await ids("?name=none") == [])

            let all = try await api.send(.get, "/v1/twins/floor-1/relationships").json()
            try expectJSON(
                all["value"]?.arrayValue?.first,
                #"""
                {"$relationshipId": "r1", "$sourceId": "floor-1", "$targetId": "room-1", "$relationshipName": "contains",
                 "$etag": "W/\"2-1\""}
                """#)
        }
    }

    @Test func incomingRelationshipsListWhatArrives() async throws {
        try await Self.withTwins { api in
            try await api.putRelationship("r2", from: "floor-1", to: "room-2", name: "contains")
            try await api.putRelationship("a1", from: "room-1", to: "room-2", name: "adjacentTo")
            try await api.putRelationship("r1", from: "floor-1", to: "room-2", name: "feeds")
            try await api.putRelationship("r3", from: "floor-1", to: "room-1", name: "contains")
            let response = try await api.send(.get, "/v1/twins/room-2/incomingrelationships")
            #expect(response.status == .ok)
            let value = try #require(try response.json()["value"]?.arrayValue)
            #expect(value.compactMap { $0["$relationshipId"]?.stringValue } == ["r1", "r2", "a1"])
            #expect(value.allSatisfy { $0["$targetId"] == "room-2" })
            #expect(value.compactMap { $0["$sourceId"]?.stringValue } == ["floor-1", "floor-1", "room-1"])
            let none = try await api.send(.get, "/v1/twins/floor-1/incomingrelationships")
            try expectJSON(try none.json(), #"{"value": []}"#)
        }
    }

    @Test func deleteRemovesTheRelationship() async throws {
        try await Self.withTwins { api in
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let response = try await api.send(.delete, "/v1/twins/floor-1/relationships/r1")
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            let get = try await api.send(.get, "/v1/twins/floor-1/relationships/r1")
            try get.expectProblem(.notFound, detail: #"relationship "r1" of twin "floor-1" not found"#)
            let again = try await api.send(.delete, "/v1/twins/floor-1/relationships/r1")
            try again.expectProblem(.notFound, detail: #"relationship "r1" of twin "floor-1" not found"#)
            #expect(try await api.send(.delete, "/v1/twins/floor-1").status == .noContent)
        }
    }

    @Test func viewersReadButCannotWriteRelationships() async throws {
        try await Self.withTwins { api in
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let viewer = try await api.token(.viewer)
            #expect(try await api.send(.get, "/v1/twins/floor-1/relationships", as: .bearer(viewer)).status == .ok)
            let put = try await api.send(
                .put, "/v1/twins/floor-1/relationships/r2", as: .bearer(viewer),
                body: #"{"$targetId": "room-2", "$relationshipName": "contains"}"#)
            try put.expectProblem(.forbidden, detail: "this needs the operator role; the token has viewer")
            let delete = try await api.send(.delete, "/v1/twins/floor-1/relationships/r1", as: .bearer(viewer))
            try delete.expectProblem(.forbidden, detail: "this needs the operator role; the token has viewer")
        }
    }

    @Test func targetsMustBeInTheSameTenant() async throws {
        try await Self.withTwins { api in
            try await api.store.ensureTenant("acme")
            let acme: HTTPFields = [APISession.tenantHeader: "acme"]
            #expect(try await api.send(.put, "/v1/twins/pump-1", headers: acme, body: "{}").status == .created)
            let response = try await api.send(
                .put, "/v1/twins/pump-1/relationships/r1", headers: acme, body: #"{"$targetId": "room-1", "$relationshipName": "feeds"}"#)
            try response.expectProblem(.notFound, detail: #"twin "room-1" not found"#)
        }
    }
}
