import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("PATCH /v1/twins/{id}: JSON Patch and merge patch")
struct TwinPatchRoutesTests {
    static let room = #"{"$metadata": {"$model": "dtmi:example:Room;1"}, "temperature": 21, "name": "Lab"}"#
    static let jsonPatch = "application/json-patch+json"
    static let mergePatch = "application/merge-patch+json"

    @Test func jsonPatchAddsReplacesRemovesAndChangesTheModel() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let patch = """
                [{"op": "add", "path": "/humidity", "value": 40},
                 {"op": "replace", "path": "/temperature", "value": 23},
                 {"op": "remove", "path": "/name"},
                 {"op": "replace", "path": "/$metadata/$model", "value": "dtmi:example:Office;1"}]
                """
            let response = try await api.send(.patch, "/v1/twins/room-1", body: patch, contentType: Self.jsonPatch)
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.eTag] == #"W/"1-2""#)

            let twin = try await api.send(.get, "/v1/twins/room-1").json()
            #expect(twin["$etag"] == #"W/"1-2""#)
            #expect(twin["$metadata"]?["$model"] == "dtmi:example:Office;1")
            #expect(twin["temperature"] == 23)
            #expect(twin["humidity"] == 40)
            #expect(twin["name"] == nil)
            #expect(twin["$metadata"]?["name"] == nil)
            #expect(isISO8601Milliseconds(twin["$metadata"]?["humidity"]?["lastUpdateTime"]?.stringValue))
        }
    }

    @Test func jsonPatchArraysAlsoComeAsApplicationJSON() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(
                .patch, "/v1/twins/room-1", body: #"[{"op": "replace", "path": "/temperature", "value": 19}]"#)
            #expect(response.status == .noContent)
            #expect(try await api.store.twin("room-1", in: "default")?.properties.value["temperature"] == 19)
        }
    }

    @Test func mergePatchMergesAndNullDeletes() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(
                .patch, "/v1/twins/room-1", body: #"{"temperature": 24, "name": null, "mode": {"fan": "auto"}}"#,
                contentType: Self.mergePatch)
            #expect(response.status == .noContent)
            #expect(response.headers[.eTag] == #"W/"1-2""#)
            let twin = try await api.send(.get, "/v1/twins/room-1").json()
            #expect(twin["$etag"] == #"W/"1-2""#)
            #expect(twin["$metadata"]?["$model"] == "dtmi:example:Room;1")
            #expect(twin["temperature"] == 24)
            #expect(twin["name"] == nil)
            try expectJSON(twin["mode"], #"{"fan": "auto"}"#)
        }
    }

    @Test func mergePatchCanChangeTheModel() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(
                .patch, "/v1/twins/room-1", body: #"{"$metadata": {"$model": "dtmi:example:Lab;2"}}"#, contentType: Self.mergePatch)
            #expect(response.status == .noContent)
            let stored = try #require(try await api.store.twin("room-1", in: "default"))
            #expect(stored.model == "dtmi:example:Lab;2")
            #expect(stored.properties.value == ["temperature": 21, "name": "Lab"])
        }
    }

    @Test func aFailingTestOperationChangesNothing() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let patch = #"[{"op": "replace", "path": "/name", "value": "Office"}, {"op": "test", "path": "/temperature", "value": 99}]"#
            let response = try await api.send(.patch, "/v1/twins/room-1", body: patch, contentType: Self.jsonPatch)
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, containing: ["JSON Patch operation 1"])
            let twin = try await api.send(.get, "/v1/twins/room-1").json()
            #expect(twin["$etag"] == #"W/"1-1""#)
            #expect(twin["name"] == "Lab")
        }
    }

    @Test(arguments: [
        #"{"op": "add", "path": "/a", "value": 1}"#,
        #"[{"op": "jump", "path": "/a"}]"#,
        #"[{"op": "remove", "path": "/missing"}]"#,
    ])
    func malformedOrInapplicableJSONPatchesAre400(patch: String) async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.patch, "/v1/twins/room-1", body: patch, contentType: Self.jsonPatch)
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, containing: ["JSON Patch"])
            #expect(try await api.store.twin("room-1", in: "default")?.version == 1)
        }
    }

    @Test func theDtIdCannotBePatched() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(
                .patch, "/v1/twins/room-1", body: #"[{"op": "replace", "path": "/$dtId", "value": "room-2"}]"#,
                contentType: Self.jsonPatch)
            try response.expectProblem(.badRequest, detail: "$dtId cannot be changed")
        }
    }

    @Test func mergePatchesMustBeObjects() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.patch, "/v1/twins/room-1", body: "[]", contentType: Self.mergePatch)
            try response.expectProblem(.badRequest, detail: "merge patch must be a JSON object, found array")
        }
    }

    @Test func ifMatchGuardsPatches() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let stale = try await api.send(
                .patch, "/v1/twins/room-1", headers: [.ifMatch: #"W/"1-0""#], body: #"{"temperature": 1}"#, contentType: Self.mergePatch)
            try stale.expectProblem(
                .preconditionFailed, type: ProblemType.preconditionFailed,
                detail: #"precondition failed: expected etag W/"1-0", current is W/"1-1""#)
            #expect(try await api.store.twin("room-1", in: "default")?.properties.value["temperature"] == 21)

            let current = try await api.send(
                .patch, "/v1/twins/room-1", headers: [.ifMatch: #"W/"1-1""#], body: #"{"temperature": 1}"#, contentType: Self.mergePatch)
            #expect(current.status == .noContent)
            #expect(current.headers[.eTag] == #"W/"1-2""#)
        }
    }

    @Test func patchingAMissingTwinIs404() async throws {
        try await APISession.run { api in
            let response = try await api.send(.patch, "/v1/twins/nope", body: #"{"a": 1}"#, contentType: Self.mergePatch)
            try response.expectProblem(.notFound, detail: #"twin "nope" not found"#)
        }
    }

    @Test(arguments: [
        ("text/plain", #"{"temperature": 1}"#),
        ("application/json", #"{"temperature": 1}"#),
    ])
    func otherMediaTypesAre415(contentType: String, body: String) async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.patch, "/v1/twins/room-1", body: body, contentType: contentType)
            try response.expectProblem(
                .unsupportedMediaType, type: ProblemType.unsupportedMediaType,
                detail: "send a JSON Patch as application/json-patch+json or a merge patch as application/merge-patch+json")
            #expect(try await api.store.twin("room-1", in: "default")?.version == 1)
        }
    }

    /// A body in a media type the route does not take is refused as such, not parsed as JSON first.
    @Test func nonJSONMediaTypesAre415NotParseErrors() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.patch, "/v1/twins/room-1", body: "<twin temperature=\"1\"/>", contentType: "application/xml")
            try response.expectProblem(.unsupportedMediaType, type: ProblemType.unsupportedMediaType)
        }
    }

    @Test func viewersCannotPatch() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let viewer = try await api.token(.viewer)
            let response = try await api.send(
                .patch, "/v1/twins/room-1", as: .bearer(viewer), body: #"{"a": 1}"#, contentType: Self.mergePatch)
            try response.expectProblem(.forbidden, detail: "this needs the operator role; the token has viewer")
        }
    }
}
