import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/twins/{id}/state: desired, reported, delta, metadata and versions")
struct DeviceStateRoutesTests {
    static let mergePatch = "application/merge-patch+json"

    /// A twin `dev-1`, then `body`.
    static func withDevice(_ body: @Sendable (APISession) async throws -> Void) async throws {
        try await APISession.run { api in
            try await api.putTwin("dev-1")
            try await body(api)
        }
    }

    /// Applies a reported-state merge patch as a device would, requiring it to succeed.
    static func report(_ patch: JSONObject, on api: APISession) async throws {
        let outcomes = try await api.store.applyReported([ReportedPatch(tenant: "default", twin: "dev-1", patch: patch, changedBy: "device")])
        #expect(outcomes.count == 1)
        if case .failure(let error)? = outcomes.first { Issue.record("reported patch refused: \(error)") }
    }

    @Test func aFreshTwinHasEmptyState() async throws {
        try await Self.withDevice { api in
            let response = try await api.send(.get, "/v1/twins/dev-1/state")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.eTag] == #"W/"1-1""#)
            let state = try response.json()
            #expect(state["deviceId"] == "dev-1")
            #expect(state["etag"] == #"W/"1-1""#)
            #expect(state["version"] == 1)
            try expectJSON(state["desired"], "{}")
            try expectJSON(state["reported"], "{}")
            try expectJSON(state["delta"], "{}")
            try expectJSON(state["tags"], "{}")
            try expectJSON(state["versions"], #"{"desired": 0, "reported": 0, "tags": 0}"#)
            #expect(state["metadata"]?["desired"]?["$lastUpdatedVersion"] == 0)
            #expect(isISO8601Milliseconds(state["metadata"]?["reported"]?["$lastUpdated"]?.stringValue))
            #expect(state["metadata"]?["reported"]?["$lastUpdatedVersion"] == nil)
        }
    }

    @Test func patchingDesiredReturnsTheNewStateAndDelta() async throws {
        try await Self.withDevice { api in
            let response = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", body: #"{"fan": "high", "setpoint": {"value": 21}}"#,
                contentType: Self.mergePatch)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.eTag] == #"W/"1-2""#)
            let state = try response.json()
            #expect(state["etag"] == #"W/"1-2""#)
            #expect(state["version"] == 2)
            try expectJSON(state["desired"], #"{"fan": "high", "setpoint": {"value": 21}}"#)
            try expectJSON(state["reported"], "{}")
            try expectJSON(state["delta"], #"{"fan": "high", "setpoint": {"value": 21}}"#)
            try expectJSON(state["versions"], #"{"desired": 1, "reported": 0, "tags": 0}"#)
            let metadata = try #require(state["metadata"]?["desired"])
            #expect(isISO8601Milliseconds(metadata["$lastUpdated"]?.stringValue))
            #expect(metadata["$lastUpdatedVersion"] == 1)
            #expect(metadata["fan"]?["$lastUpdatedVersion"] == 1)
            #expect(metadata["setpoint"]?["value"]?["$lastUpdatedVersion"] == 1)

            let second = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", body: #"{"fan": null, "mode": "eco"}"#, contentType: Self.mergePatch)
            #expect(second.status == .ok)
            let after = try second.json()
            try expectJSON(after["desired"], #"{"setpoint": {"value": 21}, "mode": "eco"}"#)
            try expectJSON(after["versions"], #"{"desired": 2, "reported": 0, "tags": 0}"#)
            #expect(after["metadata"]?["desired"]?["$lastUpdatedVersion"] == 2)
            #expect(after["metadata"]?["desired"]?["fan"] == nil)
            #expect(after["metadata"]?["desired"]?["setpoint"]?["$lastUpdatedVersion"] == 1)
        }
    }

    @Test func applicationJSONIsAcceptedAsAMergePatch() async throws {
        try await Self.withDevice { api in
            let response = try await api.send(.patch, "/v1/twins/dev-1/state/desired", body: #"{"fan": "low"}"#)
            #expect(response.status == .ok)
            try expectJSON(try response.json()["desired"], #"{"fan": "low"}"#)
        }
    }

    @Test func theDeltaShrinksAsReportedCatchesUp() async throws {
        try await Self.withDevice { api in
            try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", body: #"{"fan": "high", "setpoint": {"value": 21}}"#,
                contentType: Self.mergePatch)
            try await Self.report(["fan": "high", "firmware": "1.2"], on: api)
            let partial = try await api.send(.get, "/v1/twins/dev-1/state").json()
            try expectJSON(partial["delta"], #"{"setpoint": {"value": 21}}"#)

            try await Self.report(["setpoint": ["value": 21.0]], on: api)
            let response = try await api.send(.get, "/v1/twins/dev-1/state")
            #expect(response.status == .ok)
            let state = try response.json()
            try expectJSON(state["delta"], "{}")
            try expectJSON(state["reported"], #"{"fan": "high", "firmware": "1.2", "setpoint": {"value": 21}}"#)
            try expectJSON(state["versions"], #"{"desired": 1, "reported": 2, "tags": 0}"#)
            #expect(state["version"] == 4)
            #expect(response.headers[.eTag] == #"W/"1-4""#)
            #expect(state["metadata"]?["reported"]?["firmware"]?["$lastUpdated"]?.stringValue.map { isISO8601Milliseconds($0) } == true)
        }
    }

    @Test func ifMatchGuardsDesiredChanges() async throws {
        try await Self.withDevice { api in
            let stale = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", headers: [.ifMatch: #"W/"1-0""#], body: #"{"fan": "high"}"#,
                contentType: Self.mergePatch)
            try stale.expectProblem(
                .preconditionFailed, type: ProblemType.preconditionFailed,
                detail: #"precondition failed: expected etag W/"1-0", current is W/"1-1""#)
            #expect(try await api.store.twin("dev-1", in: "default")?.desired.version == 0)

            let current = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", headers: [.ifMatch: #"W/"1-1""#], body: #"{"fan": "high"}"#,
                contentType: Self.mergePatch)
            #expect(current.status == .ok)
        }
    }

    @Test(arguments: [
        (#"{"a.b": 1}"#, "invalid key at desired.a.b: member names may not contain '.'"),
        (#"{"hvac": {"set$point": 1}}"#, "invalid key at desired.hvac.set$point: member names may not contain '$'"),
        (#"{"": 1}"#, "invalid key at desired.: member names may not be empty"),
    ])
    func invalidKeysAre400WithTheirPath(body: String, detail: String) async throws {
        try await Self.withDevice { api in
            let response = try await api.send(.patch, "/v1/twins/dev-1/state/desired", body: body, contentType: Self.mergePatch)
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, detail: detail)
            #expect(try await api.store.twin("dev-1", in: "default")?.version == 1)
        }
    }

    @Test func desiredOver32KiBIs413() async throws {
        try await Self.withDevice { api in
            let members = (0..<9).map { #""k\#($0)": "\#(String(repeating: "v", count: 4000))""# }
            let response = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", body: "{" + members.joined(separator: ",") + "}", contentType: Self.mergePatch)
            try response.expectProblem(
                .contentTooLarge, type: ProblemType.documentTooLarge, containing: ["desired would be ", "; the limit is 32768"])
            #expect(try await api.store.twin("dev-1", in: "default")?.desired.value == [:])
        }
    }

    @Test(arguments: [("[1]", "body must be a JSON object, found array"), ("{", nil)])
    func bodiesMustBeJSONObjects(body: String, detail: String?) async throws {
        try await Self.withDevice { api in
            let response = try await api.send(.patch, "/v1/twins/dev-1/state/desired", body: body, contentType: Self.mergePatch)
            try response.expectProblem(.badRequest, type: ProblemType.invalidDocument, detail: detail)
        }
    }

    @Test func otherMediaTypesAre415() async throws {
        try await Self.withDevice { api in
            let response = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", body: #"[{"op": "add", "path": "/fan", "value": "high"}]"#,
                contentType: "application/json-patch+json")
            try response.expectProblem(
                .unsupportedMediaType, type: ProblemType.unsupportedMediaType,
                detail: "desired state takes a merge patch (application/merge-patch+json)")
        }
    }

    @Test func viewersReadButCannotChangeDesired() async throws {
        try await Self.withDevice { api in
            let viewer = try await api.token(.viewer)
            #expect(try await api.send(.get, "/v1/twins/dev-1/state", as: .bearer(viewer)).status == .ok)
            let response = try await api.send(
                .patch, "/v1/twins/dev-1/state/desired", as: .bearer(viewer), body: #"{"fan": "high"}"#, contentType: Self.mergePatch)
            try response.expectProblem(.forbidden, type: ProblemType.forbidden, detail: "this needs the operator role; the token has viewer")
            #expect(try await api.store.twin("dev-1", in: "default")?.desired.version == 0)
        }
    }

    @Test func missingTwinsAre404() async throws {
        try await APISession.run { api in
            let get = try await api.send(.get, "/v1/twins/nope/state")
            try get.expectProblem(.notFound, type: ProblemType.notFound, detail: #"twin "nope" not found"#)
            let patch = try await api.send(.patch, "/v1/twins/nope/state/desired", body: #"{"fan": "high"}"#, contentType: Self.mergePatch)
            try patch.expectProblem(.notFound, detail: #"twin "nope" not found"#)
        }
    }
}
