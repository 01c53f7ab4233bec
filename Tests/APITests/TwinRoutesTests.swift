import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("PUT, GET and DELETE /v1/twins/{id}")
struct TwinRoutesTests {
    static let room = #"{"$dtId": "room-1", "$metadata": {"$model": "dtmi:example:Room;1"}, "temperature": 21, "name": "Lab"}"#

    @Test func putCreatesATwinInADTShape() async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/room-1", body: Self.room)
            #expect(response.status == .created)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            let twin = try response.json()
            #expect(twin["$etag"] == .string(response.headers[.eTag] ?? ""))
            #expect(twin.objectValue.map { Set($0.keys) } == ["$dtId", "$etag", "$metadata", "temperature", "name"])
            #expect(twin["$dtId"] == "room-1")
            #expect(twin["temperature"] == 21)
            #expect(twin["name"] == "Lab")
            let metadata = try #require(twin["$metadata"])
            #expect(metadata.objectValue.map { Set($0.keys) } == ["$model", "temperature", "name"])
            #expect(metadata["$model"] == "dtmi:example:Room;1")
            #expect(isISO8601Milliseconds(metadata["temperature"]?["lastUpdateTime"]?.stringValue))
            #expect(isISO8601Milliseconds(metadata["name"]?["lastUpdateTime"]?.stringValue))

            let stored = try #require(try await api.store.twin("room-1", in: "default"))
            #expect(stored.model == "dtmi:example:Room;1")
            #expect(stored.properties.value == ["temperature": 21, "name": "Lab"])
        }
    }

    @Test func putWithoutAModelStoresNullModel() async throws {
        try await APISession.run { api in
            let twin = try await api.putTwin("bare", #"{"on": true}"#)
            try expectJSON(twin["$metadata"]?["$model"], "null")
            #expect(twin["on"] == true)
        }
    }

    @Test func putAgainReplacesTheTwin() async throws {
        try await APISession.run { api in
            let first = try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.put, "/v1/twins/room-1", body: #"{"temperature": 22}"#)
            #expect(response.status == .ok)
            let etag = try #require(response.headers[.eTag])
            #expect(etag == #"W/"1-2""#)
            #expect(etag != first["$etag"]?.stringValue)
            let twin = try response.json()
            #expect(twin["$etag"] == .string(etag))
            #expect(twin["temperature"] == 22)
            #expect(twin["name"] == nil)
            try expectJSON(twin["$metadata"]?["$model"], "null")
            #expect(twin["$metadata"]?["name"] == nil)
        }
    }

    /// Sections never hold `null` (TwinModelError.nullValue); a PUT body's `null` must not be stored,
    /// whether the PUT creates the twin or replaces it.
    @Test(arguments: [false, true])
    func nullPropertiesAreNeverStored(replacing: Bool) async throws {
        try await APISession.run { api in
            if replacing { try await api.putTwin("room-1", #"{"a": 1}"#) }
            let response = try await api.send(.put, "/v1/twins/room-1", body: #"{"a": null, "b": 1}"#)
            if response.status == .badRequest { return }
            #expect(response.status == (replacing ? .ok : .created))
            let stored = try #require(try await api.store.twin("room-1", in: "default"))
            #expect(stored.properties.value == ["b": 1])
            #expect(try response.json()["a"] == nil)
        }
    }

    @Test func ifNoneMatchStarCreatesOnly() async throws {
        try await APISession.run { api in
            let created = try await api.send(.put, "/v1/twins/room-1", headers: [.ifNoneMatch: "*"], body: Self.room)
            #expect(created.status == .created)
            let again = try await api.send(.put, "/v1/twins/room-1", headers: [.ifNoneMatch: "*"], body: #"{"temperature": 5}"#)
            try again.expectProblem(.preconditionFailed, type: ProblemType.alreadyExists, detail: #"twin "room-1" already exists"#)
            #expect(try await api.store.twin("room-1", in: "default")?.properties.value["temperature"] == 21)
        }
    }

    @Test func ifMatchGuardsReplacement() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let stale = try await api.send(.put, "/v1/twins/room-1", headers: [.ifMatch: #"W/"1-9""#], body: "{}")
            try stale.expectProblem(
                .preconditionFailed, type: ProblemType.preconditionFailed,
                detail: #"precondition failed: expected etag W/"1-9", current is W/"1-1""#)
            let current = try await api.send(.put, "/v1/twins/room-1", headers: [.ifMatch: #"W/"1-1""#], body: "{}")
            #expect(current.status == .ok)
            let missing = try await api.send(.put, "/v1/twins/nope", headers: [.ifMatch: #"W/"1-1""#], body: "{}")
            try missing.expectProblem(.preconditionFailed, detail: #"precondition failed: expected etag W/"1-1", current is none"#)
        }
    }

    @Test func bodyDtIdMustMatchThePath() async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/room-1", body: #"{"$dtId": "other"}"#)
            try response.expectProblem(
                .badRequest, type: ProblemType.badRequest,
                detail: #"$dtId in the body ("other") does not match the twin id "room-1" in the path"#)
            #expect(try await api.store.twin("room-1", in: "default") == nil)
        }
    }

    @Test func invalidJSONIs400WithLineAndColumn() async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/room-1", body: "{\n  \"a\": ,\n}")
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, containing: ["line 2", "column 8"])
        }
    }

    @Test(arguments: [
        ("[1, 2]", "body must be a JSON object, found array"),
        ("\"text\"", "body must be a JSON object, found string"),
        ("", "the request needs a JSON body"),
        (#"{"$metadata": {"$model": 5}}"#, "$metadata.$model must be a string DTMI, found number"),
    ])
    func putBodiesMustBeTwinObjects(body: String, detail: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/room-1", body: body)
            try response.expectProblem(.badRequest, detail: detail)
        }
    }

    @Test func bodiesOver4MiBAre413() async throws {
        try await APISession.run { api in
            let huge = #"{"blob": ""# + String(repeating: "x", count: 4 * 1024 * 1024) + #""}"#
            let response = try await api.send(.put, "/v1/twins/room-1", body: huge)
            try response.expectProblem(.contentTooLarge)
            #expect(try await api.store.twin("room-1", in: "default") == nil)
        }
    }

    @Test func propertiesOver32KiBAre413() async throws {
        try await APISession.run { api in
            let members = (0..<10).map { #""p\#($0)": "\#(String(repeating: "x", count: 4000))""# }
            let response = try await api.send(.put, "/v1/twins/room-1", body: "{" + members.joined(separator: ",") + "}")
            try response.expectProblem(.contentTooLarge, type: ProblemType.documentTooLarge, containing: ["properties would be", "the limit is 32768"])
        }
    }

    @Test func idsWithForbiddenCharactersAre400() async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/a+b", body: "{}")
            try response.expectProblem(
                .badRequest, type: ProblemType.invalidDocument,
                detail: #"invalid twin id "a+b": may not contain '/', '+', '#', spaces or control characters"#)
        }
    }

    /// Path segments arrive percent-encoded; the id is what they decode to.
    @Test(arguments: ["a%20b", "a%2Fb", "a%09b"])
    func percentEncodedInvalidIdsAre400(encoded: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/twins/\(encoded)", body: "{}")
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, containing: ["invalid twin id"])
            #expect(try await api.store.twinCount(in: "default") == 0)
        }
    }

    @Test func percentEncodedIdsNameTheDecodedTwin() async throws {
        try await APISession.run { api in
            try await api.putTwin("caf%C3%A9")
            #expect(try await api.store.twin("café", in: "default") != nil)
            #expect(try await api.store.twin("caf%C3%A9", in: "default") == nil)
        }
    }

    @Test func getReturnsTheTwinWithItsETag() async throws {
        try await APISession.run { api in
            let put = try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.get, "/v1/twins/room-1")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            #expect(try response.json() == put)
        }
    }

    @Test func getWithTheCurrentETagIs304() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.get, "/v1/twins/room-1", headers: [.ifNoneMatch: #"W/"1-1""#])
            #expect(response.status == .notModified)
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            #expect(response.body.readableBytes == 0)
            let changed = try await api.send(.get, "/v1/twins/room-1", headers: [.ifNoneMatch: #"W/"1-0""#])
            #expect(changed.status == .ok)
        }
    }

    @Test func missingTwinsAre404() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/nope")
            try response.expectProblem(.notFound, type: ProblemType.notFound, detail: #"twin "nope" not found"#)
            let delete = try await api.send(.delete, "/v1/twins/nope")
            try delete.expectProblem(.notFound, detail: #"twin "nope" not found"#)
        }
    }

    @Test func deleteRemovesTheTwin() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", Self.room)
            let response = try await api.send(.delete, "/v1/twins/room-1")
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            let get = try await api.send(.get, "/v1/twins/room-1")
            #expect(get.status == .notFound)
        }
    }

    @Test func deleteIsRefusedWhileRelationshipsExist() async throws {
        try await APISession.run { api in
            try await api.putTwin("floor-1")
            try await api.putTwin("room-1")
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            let source = try await api.send(.delete, "/v1/twins/floor-1")
            try source.expectProblem(
                .conflict, type: ProblemType.relationshipsNotDeleted,
                detail: #"twin "floor-1" still has 1 outgoing and 0 incoming relationships; delete them or ask for a cascade"#)
            let target = try await api.send(.delete, "/v1/twins/room-1?cascade=false")
            try target.expectProblem(
                .conflict, type: ProblemType.relationshipsNotDeleted,
                detail: #"twin "room-1" still has 0 outgoing and 1 incoming relationships; delete them or ask for a cascade"#)
            #expect(try await api.store.twinCount(in: "default") == 2)
        }
    }

    @Test func cascadeDeletesTheRelationshipsToo() async throws {
        try await APISession.run { api in
            try await api.putTwin("floor-1")
            try await api.putTwin("room-1")
            try await api.putTwin("room-2")
            try await api.putRelationship("r1", from: "floor-1", to: "room-1", name: "contains")
            try await api.putRelationship("r2", from: "room-2", to: "room-1", name: "adjacentTo")
            let response = try await api.send(.delete, "/v1/twins/room-1?cascade=true")
            #expect(response.status == .noContent)
            #expect(try await api.send(.get, "/v1/twins/room-1").status == .notFound)
            let outgoing = try await api.send(.get, "/v1/twins/floor-1/relationships")
            try expectJSON(try outgoing.json(), #"{"value": []}"#)
            #expect(try await api.store.relationship("r2", of: "room-2", in: "default") == nil)
            #expect(try await api.send(.delete, "/v1/twins/floor-1").status == .noContent)
        }
    }
}
