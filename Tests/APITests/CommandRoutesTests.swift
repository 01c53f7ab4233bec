import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/twins/{id}/commands/{name}: validation, and a server without the broker")
struct CommandRoutesTests {
    @Test func requestsAreValidatedAndAServerWithoutTheBrokerAnswers503() async throws {
        try await APISession.run { api in
            let viewer = try await api.token(.viewer)
            try await api.send(.post, "/v1/twins/d1/commands/reboot", as: .bearer(viewer), body: "{}")
                .expectProblem(.forbidden, type: ProblemType.forbidden)
            try await api.send(.post, "/v1/twins/d1/commands/reboot", body: #"{"timeoutSeconds": 0}"#)
                .expectProblem(.badRequest, detail: "timeoutSeconds must be a number from 1 to 300")
            try await api.send(.post, "/v1/twins/d1/commands/reboot", body: #"{"payload": 1, "colour": 2}"#)
                .expectProblem(.badRequest, detail: #"unknown member "colour"; a command takes payload, timeoutSeconds, queue and ttlSeconds"#)
            try await api.send(.post, "/v1/twins/d1/commands/reboot", body: #"{"payload": {"delay": 5}}"#)
                .expectProblem(
                    .serviceUnavailable, type: "https://doppel.dev/problems/commands-unavailable",
                    detail: "this server runs without the MQTT broker")
        }
    }
}
