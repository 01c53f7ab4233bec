import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing
import TwinModel

@Suite("Health, metrics and problem JSON")
struct HealthRoutesTests {
    /// A store on a fresh file, removed when the closure returns.
    static func withStore(_ body: (TwinStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TwinStore(path: directory.appendingPathComponent("doppel.sqlite").path, logger: Logger(label: "test"))
        try await body(store)
    }

    @Test func healthzAnswersOKWhileTheStoreAnswers() async throws {
        try await Self.withStore { store in
            let app = Application(router: buildRouter(store: store))
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(String(buffer: response.body) == #"{"status":"ok","store":"ok"}"#)
                }
            }
        }
    }

    @Test func metricsRenderTheRegistry() async throws {
        try await Self.withStore { store in
            let registry = PrometheusCollectorRegistry()
            registry.makeCounter(name: "doppel_test_total").increment(by: Int64(3))
            let app = Application(router: buildRouter(store: store, metrics: registry))
            try await app.test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    #expect(String(buffer: response.body).contains("doppel_test_total 3"))
                }
            }
        }
    }

    @Test func unknownRoutesAreProblemJSON() async throws {
        try await Self.withStore { store in
            let app = Application(router: buildRouter(store: store))
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/nothing-here", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                    let body = try JSONValue(parsing: Array(buffer: response.body))
                    #expect(body["status"] == 404)
                    #expect(body["title"] == "Not Found")
                }
            }
        }
    }

    @Test func liveServerReportsItsEphemeralPort() async throws {
        try await Self.withStore { store in
            var configuration = APIConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = 0
            let reported = PortBox()
            let app = buildApplication(store: store, configuration: configuration, logger: Logger(label: "test")) { port in
                await reported.set(port)
            }
            try await app.test(.live) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                let port = try #require(await reported.port)
                #expect(port == client.port)
                #expect(port != 0)
            }
        }
    }
}

/// The port handed to `onServerRunning`.
actor PortBox {
    var port: Int?
    func set(_ port: Int) { self.port = port }
}

@Suite("Domain errors become problem JSON with the right status")
struct ProblemMappingTests {
    @Test(arguments: [
        (TwinModelError.twinNotFound("t"), 404),
        (.invalidKey(path: "desired.a$", reason: "x"), 400),
        (.sectionTooLarge(section: "desired", bytes: 40000, limit: 32768), 413),
        (.preconditionFailed(expected: "a", actual: "b"), 412),
        (.twinAlreadyExists("t"), 412),
        (.twinHasRelationships(id: "t", outgoing: 1, incoming: 0), 409),
        (.relationshipLimitExceeded(twin: "t", direction: "outgoing", limit: 5000), 409),
        (.invalidIdentifier(kind: "twin", id: "a/b", reason: "x"), 400),
    ])
    func status(of error: TwinModelError, is code: Int) {
        let problem = ProblemDetails(error)
        #expect(problem.status.code == code)
        #expect(problem.detail == error.description)
        #expect(problem.type.hasPrefix("https://doppel.dev/problems/"))
    }
}
