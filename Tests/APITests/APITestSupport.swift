import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TwinModel

/// Who a request in the route suites claims to be.
enum Caller: Sendable {
    /// The admin token of the default tenant that every `APISession` starts with.
    case admin
    /// No `Authorization` header at all.
    case anonymous
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// An `Authorization` header sent exactly as given.
    case authorization(String)
}

/// The router over a fresh store file, with an admin token of the default tenant; shared by the *RoutesTests suites.
struct APISession: Sendable {
    let store: TwinStore
    let client: any TestClientProtocol
    let adminToken: String

    static let tenantHeader = HTTPFields.Element.Name("X-Doppel-Tenant")!

    /// Runs `body` against a new store, removed when it returns.
    static func run(_ body: @Sendable (APISession) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TwinStore(path: directory.appendingPathComponent("doppel.sqlite").path, logger: Logger(label: "test"))
        let admin = try await store.createAccessToken(tenant: TwinStore.defaultTenant, role: .admin, name: "admin")
        let app = Application(router: buildRouter(store: store))
        try await app.test(.router) { client in
            try await body(APISession(store: store, client: client, adminToken: admin))
        }
    }

    /// A new token with `role` in `tenant`, creating the tenant first.
    func token(_ role: AccessRole, tenant: String = TwinStore.defaultTenant) async throws -> String {
        try await store.ensureTenant(tenant)
        return try await store.createAccessToken(tenant: tenant, role: role, name: "\(role.rawValue)-\(tenant)")
    }

    /// Sends one request; a body goes with `Content-Type: contentType` unless `headers` names another.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        as caller: Caller = .admin,
        headers: HTTPFields = [:],
        body: String? = nil,
        contentType: String = "application/json"
    ) async throws -> TestResponse {
        var fields = headers
        switch caller {
        case .admin: fields[.authorization] = "Bearer \(adminToken)"
        case .anonymous: break
        case .bearer(let token): fields[.authorization] = "Bearer \(token)"
        case .authorization(let value): fields[.authorization] = value
        }
        if body != nil, fields[.contentType] == nil { fields[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }

    /// `PUT /v1/twins/{id}` as admin, requiring 201 or 200; returns the twin as the response shows it.
    @discardableResult
    func putTwin(_ id: String, _ body: String = "{}", sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let response = try await send(.put, "/v1/twins/\(id)", body: body)
        #expect(response.status == .created || response.status == .ok, "PUT twin \(id): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try response.json()
    }

    /// `PUT /v1/twins/{source}/relationships/{id}` as admin, requiring success.
    @discardableResult
    func putRelationship(
        _ id: String, from source: String, to target: String, name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let response = try await send(
            .put, "/v1/twins/\(source)/relationships/\(id)", body: #"{"$targetId": "\#(target)", "$relationshipName": "\#(name)"}"#)
        #expect(response.status == .created || response.status == .ok, "PUT relationship \(id): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try response.json()
    }
}

extension TestResponse {
    /// The body parsed as JSON.
    func json() throws -> JSONValue {
        try JSONValue(parsing: Array(buffer: body))
    }

    /// Expects a problem JSON response with `status` (and stops the test when the status differs);
    /// `detail` must match exactly, `containing` only in part.
    func expectProblem(
        _ status: HTTPResponse.Status,
        type: String? = nil,
        detail: String? = nil,
        containing fragments: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try #require(self.status == status, "body: \(String(buffer: body))", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == ProblemDetails.mediaType, sourceLocation: sourceLocation)
        let problem = try json()
        #expect(problem["status"] == .int(Int64(status.code)), sourceLocation: sourceLocation)
        #expect(problem["title"] == .string(status.reasonPhrase), sourceLocation: sourceLocation)
        #expect(problem["type"]?.stringValue != nil, sourceLocation: sourceLocation)
        if let type { #expect(problem["type"] == .string(type), sourceLocation: sourceLocation) }
        if let detail { #expect(problem["detail"] == .string(detail), sourceLocation: sourceLocation) }
        let text = problem["detail"]?.stringValue ?? ""
        for fragment in fragments {
            #expect(text.contains(fragment), "detail \"\(text)\" lacks \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    }
}

/// Problem `type` URIs the API uses.
enum ProblemType {
    static let unauthorized = "https://doppel.dev/problems/unauthorized"
    static let forbidden = "https://doppel.dev/problems/forbidden"
    static let badRequest = "https://doppel.dev/problems/bad-request"
    static let invalidDocument = "https://doppel.dev/problems/invalid-document"
    static let notFound = "https://doppel.dev/problems/not-found"
    static let alreadyExists = "https://doppel.dev/problems/already-exists"
    static let preconditionFailed = "https://doppel.dev/problems/precondition-failed"
    static let documentTooLarge = "https://doppel.dev/problems/document-too-large"
    static let unsupportedMediaType = "https://doppel.dev/problems/unsupported-media-type"
    static let relationshipsNotDeleted = "https://doppel.dev/problems/relationships-not-deleted"
    static let modelViolation = "https://doppel.dev/problems/model-violation"
    static let modelInUse = "https://doppel.dev/problems/model-in-use"
}

/// Expects `actual` to equal the JSON text `expected` (numbers by value, object members in any order).
func expectJSON(_ actual: JSONValue?, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let wanted = try JSONValue(parsing: expected)
    let matches = actual.map { $0.isJSONEqual(to: wanted) } ?? false
    #expect(matches, "got \(actual.map(\.description) ?? "nothing"), expected \(wanted)", sourceLocation: sourceLocation)
}

/// Whether `text` is a UTC timestamp as the API writes them, e.g. `2026-11-27T10:36:25.123Z`.
func isISO8601Milliseconds(_ text: String?) -> Bool {
    guard let text else { return false }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return text.utf8.count == 24 && text.hasSuffix("Z") && formatter.date(from: text) != nil
}
