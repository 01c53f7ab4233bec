import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/tenant: settings, and strict validation over HTTP")
struct TenantRoutesTests {
    static let room = #"{"@id": "dtmi:example:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "contents": [{"@type": "Property", "name": "temperature", "schema": "double"}]}"#

    @Test func settingsStartLenientAndOnlyAdminsChangeThem() async throws {
        try await APISession.run { api in
            let viewer = try await api.token(.viewer)
            let shown = try await api.send(.get, "/v1/tenant", as: .bearer(viewer))
            #expect(shown.status == .ok)
            try expectJSON(try shown.json(), #"{"id": "default", "validation": "lenient", "telemetry": {"rawRetention": "7d", "rollupRetention": "400d", "downsampling": []}}"#)
            let operatorToken = try await api.token(.operator)
            try await api.send(.patch, "/v1/tenant", as: .bearer(operatorToken), body: #"{"validation": "strict"}"#)
                .expectProblem(.forbidden, type: ProblemType.forbidden)
            try await api.send(.patch, "/v1/tenant", body: #"{"validation": "paranoid"}"#)
                .expectProblem(.badRequest, detail: #"validation must be "strict" or "lenient", found "paranoid""#)
            try await api.send(.patch, "/v1/tenant", body: #"{"colour": "red"}"#)
                .expectProblem(.badRequest, detail: #"unknown setting "colour"; the settings are: validation, telemetry"#)
            let changed = try await api.send(.patch, "/v1/tenant", body: #"{"validation": "strict"}"#)
            #expect(changed.status == .ok)
            try expectJSON(try changed.json(), #"{"id": "default", "validation": "strict", "telemetry": {"rawRetention": "7d", "rollupRetention": "400d", "downsampling": []}}"#)
        }
    }

    @Test func strictTenantsAnswerModelViolationsWithTheirPath() async throws {
        try await APISession.run { api in
            #expect(try await api.send(.post, "/v1/models", body: "[\(Self.room)]").status == .created)
            try await api.putTwin("loose", #"{"$metadata": {"$model": "dtmi:example:Room;1"}, "colour": "red"}"#)
            try await api.send(.patch, "/v1/tenant", body: #"{"validation": "strict"}"#)
                .expectProblem(
                    .badRequest, type: ProblemType.modelViolation,
                    detail: "tenant: strict mode refused: 1 violations: twins/loose/colour: dtmi:example:Room;1 declares no property colour")
            #expect(try await api.send(.delete, "/v1/twins/loose").status == .noContent)
            #expect(try await api.send(.patch, "/v1/tenant", body: #"{"validation": "strict"}"#).status == .ok)

            try await api.send(.put, "/v1/twins/r1", body: #"{"$metadata": {"$model": "dtmi:example:Room;1"}, "temperature": "hot"}"#)
                .expectProblem(
                    .badRequest, type: ProblemType.modelViolation,
                    detail: "twins/r1/temperature: the model wants a number, found string \"hot\"")
            try await api.putTwin("r1", #"{"$metadata": {"$model": "dtmi:example:Room;1"}, "temperature": 21.5}"#)
            try await api.send(.delete, "/v1/models/dtmi:example:Room;1")
                .expectProblem(.conflict, type: ProblemType.modelInUse)
        }
    }
}
