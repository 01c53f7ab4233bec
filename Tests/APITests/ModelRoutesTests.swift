import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/models: upload, list, read and delete DTDL interfaces")
struct ModelRoutesTests {
    static let room = #"{"@id": "dtmi:example:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "contents": [{"@type": "Property", "name": "temperature", "schema": "double"}]}"#
    static let floor = #"{"@id": "dtmi:example:Floor;2", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "displayName": "Floor"}"#

    /// The ids `GET /v1/models` lists.
    static func listedIDs(_ api: APISession) async throws -> [String] {
        let response = try await api.send(.get, "/v1/models")
        #expect(response.status == .ok)
        return (try response.json()["value"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    @Test func postStoresAnArrayOfInterfaces() async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/models", body: "[\(Self.room), \(Self.floor)]")
            #expect(response.status == .created)
            #expect(response.headers[.contentType] == "application/json")
            let models = try #require(try response.json().arrayValue)
            try #require(models.count == 2)
            for (model, text) in zip(models, [Self.room, Self.floor]) {
                #expect(model.objectValue.map { Set($0.keys) } == ["id", "uploadTime", "decommissioned", "model"])
                #expect(model["decommissioned"] == false)
                #expect(isISO8601Milliseconds(model["uploadTime"]?.stringValue))
                try expectJSON(model["model"], text)
            }
            #expect(models.map { $0["id"] } == ["dtmi:example:Room;1", "dtmi:example:Floor;2"])
            #expect(try await Self.listedIDs(api) == ["dtmi:example:Floor;2", "dtmi:example:Room;1"])
        }
    }

    @Test func duplicatesAre412AndNothingOfTheUploadIsStored() async throws {
        try await APISession.run { api in
            #expect(try await api.send(.post, "/v1/models", body: "[\(Self.room)]").status == .created)
            let again = try await api.send(.post, "/v1/models", body: "[\(Self.floor), \(Self.room)]")
            try again.expectProblem(
                .preconditionFailed, type: ProblemType.alreadyExists, detail: #"model "dtmi:example:Room;1" already exists"#)
            #expect(try await Self.listedIDs(api) == ["dtmi:example:Room;1"])

            let twice = try await api.send(.post, "/v1/models", body: "[\(Self.floor), \(Self.floor)]")
            try twice.expectProblem(.preconditionFailed, detail: #"model "dtmi:example:Floor;2" already exists"#)
            #expect(try await Self.listedIDs(api) == ["dtmi:example:Room;1"])
        }
    }

    @Test(arguments: [#"{"@id": "dtmi:example:Room;1"}"#, #""dtmi:example:Room;1""#, "7"])
    func bodiesMustBeArrays(body: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/models", body: body)
            try response.expectProblem(.badRequest, type: ProblemType.badRequest, detail: "the body must be a JSON array of DTDL interfaces")
        }
    }

    @Test(arguments: [
        (#"{"@type": "Interface"}"#, "interface 1 has no string @id"),
        (#"{"@id": 5}"#, "interface 1 has no string @id"),
        (#""dtmi:example:Lab;1""#, "interface 1 has no string @id"),
    ])
    func interfacesNeedAnId(second: String, detail: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/models", body: "[\(Self.room), \(second)]")
            try response.expectProblem(.badRequest, type: ProblemType.badRequest, detail: detail)
            #expect(try await Self.listedIDs(api) == [])
        }
    }

    @Test(arguments: ["dtmi:foo", "foo;1", "dtmi:foo;", "dtmi:foo;x", "dtmi:;1", "dtmi:1foo;1", "dtmi:foo_;1", "dtmi:foo::bar;1", "DTMI:foo;1"])
    func idsMustBeDTMIs(id: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/models", body: "[\(Self.room), {\"@id\": \"\(id)\"}]")
            try response.expectProblem(
                .badRequest, type: ProblemType.badRequest, detail: "interface 1: \"\(id)\" is not a DTMI (dtmi:<segments>;<version>)")
            #expect(try await Self.listedIDs(api) == [])
        }
    }

    @Test func anEmptyArrayStoresNothing() async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/models", body: "[]")
            #expect(response.status == .created)
            try expectJSON(try response.json(), "[]")
        }
    }

    @Test func listsAreValueArraysInIdOrder() async throws {
        try await APISession.run { api in
            let empty = try await api.send(.get, "/v1/models")
            #expect(empty.status == .ok)
            try expectJSON(try empty.json(), #"{"value": []}"#)

            try await api.send(.post, "/v1/models", body: "[\(Self.room), \(Self.floor)]")
            let viewer = try await api.token(.viewer)
            let response = try await api.send(.get, "/v1/models", as: .bearer(viewer))
            #expect(response.status == .ok)
            let value = try #require(try response.json()["value"]?.arrayValue)
            #expect(value.map { $0["id"] } == ["dtmi:example:Floor;2", "dtmi:example:Room;1"])
            try expectJSON(value.first?["model"], Self.floor)
            #expect(value.allSatisfy { $0["decommissioned"] == false && isISO8601Milliseconds($0["uploadTime"]?.stringValue) })
        }
    }

    @Test func getReadsOneModelByTheDTMIInThePath() async throws {
        try await APISession.run { api in
            let uploaded = try await api.send(.post, "/v1/models", body: "[\(Self.room)]").json()
            let response = try await api.send(.get, "/v1/models/dtmi:example:Room;1")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try response.json() == uploaded.arrayValue?.first)
            let missing = try await api.send(.get, "/v1/models/dtmi:example:Nope;1")
            try missing.expectProblem(.notFound, type: ProblemType.notFound, detail: #"model "dtmi:example:Nope;1" not found"#)
        }
    }

    /// ADT clients percent-encode the model id in the path (`:` → `%3A`, `;` → `%3B`).
    @Test func getDecodesAPercentEncodedDTMI() async throws {
        try await APISession.run { api in
            try await api.send(.post, "/v1/models", body: "[\(Self.room)]")
            let response = try await api.send(.get, "/v1/models/dtmi%3Aexample%3ARoom%3B1")
            try #require(response.status == .ok)
            #expect(try response.json()["id"] == "dtmi:example:Room;1")
        }
    }

    @Test func modelsBelongToTheirTenant() async throws {
        try await APISession.run { api in
            try await api.send(.post, "/v1/models", body: "[\(Self.room)]")
            let acmeAdmin = try await api.token(.admin, tenant: "acme")
            let response = try await api.send(.get, "/v1/models/dtmi:example:Room;1", as: .bearer(acmeAdmin))
            try response.expectProblem(.notFound, detail: #"model "dtmi:example:Room;1" not found"#)
            #expect(try await api.send(.post, "/v1/models", as: .bearer(acmeAdmin), body: "[\(Self.room)]").status == .created)
        }
    }

    @Test func adminsDeleteModels() async throws {
        try await APISession.run { api in
            try await api.send(.post, "/v1/models", body: "[\(Self.room), \(Self.floor)]")
            let operatorToken = try await api.token(.operator)
            let refused = try await api.send(.delete, "/v1/models/dtmi:example:Room;1", as: .bearer(operatorToken))
            try refused.expectProblem(.forbidden, type: ProblemType.forbidden, detail: "this needs the admin role; the token has operator")

            let response = try await api.send(.delete, "/v1/models/dtmi:example:Room;1")
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            let get = try await api.send(.get, "/v1/models/dtmi:example:Room;1")
            try get.expectProblem(.notFound, detail: #"model "dtmi:example:Room;1" not found"#)
            #expect(try await Self.listedIDs(api) == ["dtmi:example:Floor;2"])

            let again = try await api.send(.delete, "/v1/models/dtmi:example:Room;1")
            try again.expectProblem(.notFound, type: ProblemType.notFound, detail: #"model "dtmi:example:Room;1" not found"#)
        }
    }
}

@Suite("/v1/models validates DTDL")
struct ModelValidationRoutesTests {
    @Test func invalidDTDLIsRefusedWithThePathAndNothingIsStored() async throws {
        try await APISession.run { api in
            let bad = #"[{"@id": "dtmi:example:Bad;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "contents": [{"@type": "Property", "name": "1st", "schema": "double"}]}]"#
            let refused = try await api.send(.post, "/v1/models", body: bad)
            #expect(refused.status == .badRequest)
            let detail = try #require(try JSONValue(parsing: Array(buffer: refused.body))["detail"]?.stringValue)
            #expect(detail.contains("contents[0]"), "the JSON path of the bad content: \(detail)")
            #expect(try await api.store.models(in: "default").isEmpty)

            // A model may extend one uploaded earlier.
            let base = #"[{"@id": "dtmi:example:Space;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "contents": [{"@type": "Property", "name": "area", "schema": "double"}]}]"#
            #expect(try await api.send(.post, "/v1/models", body: base).status == .created)
            let derived = #"[{"@id": "dtmi:example:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "extends": "dtmi:example:Space;1"}]"#
            #expect(try await api.send(.post, "/v1/models", body: derived).status == .created)
            // Redefining an inherited content name is a DTDL error.
            let clash = #"[{"@id": "dtmi:example:Office;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "extends": "dtmi:example:Space;1", "contents": [{"@type": "Property", "name": "area", "schema": "string"}]}]"#
            #expect(try await api.send(.post, "/v1/models", body: clash).status == .badRequest)
        }
    }
}
