import API
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("Bearer tokens, roles and tenants on /v1")
struct AuthRoutesTests {
    @Test func requestsWithoutAuthorizationAre401() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/room-1", as: .anonymous)
            try response.expectProblem(
                .unauthorized, type: ProblemType.unauthorized, detail: "a bearer token is required (Authorization: Bearer …)")
        }
    }

    /// RFC 9110 §11.6.1 / RFC 6750 §3: a 401 MUST carry a `WWW-Authenticate` challenge.
    @Test func unauthorizedResponsesCarryABearerChallenge() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/room-1", as: .anonymous)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.lowercased().hasPrefix("bearer") == true)
        }
    }

    @Test(arguments: ["Basic YWRtaW46YWRtaW4=", "Bearer", "Token abc", "bearertoken"])
    func malformedAuthorizationIs401(header: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/room-1", as: .authorization(header))
            try response.expectProblem(
                .unauthorized, type: ProblemType.unauthorized, detail: "the Authorization header must be 'Bearer <token>'")
        }
    }

    @Test func unknownTokensAre401() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/room-1", as: .bearer("dop_not-a-token"))
            try response.expectProblem(.unauthorized, type: ProblemType.unauthorized, detail: "the bearer token is not valid")
        }
    }

    @Test func theSchemeIsCaseInsensitive() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1")
            let response = try await api.send(.get, "/v1/twins/room-1", as: .authorization("bearer \(api.adminToken)"))
            #expect(response.status == .ok)
        }
    }

    @Test func viewersReadButCannotWrite() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1", #"{"temperature": 21}"#)
            let viewer = try await api.token(.viewer)
            let read = try await api.send(.get, "/v1/twins/room-1", as: .bearer(viewer))
            #expect(read.status == .ok)
            #expect(try read.json()["temperature"] == 21)

            let write = try await api.send(.put, "/v1/twins/room-1", as: .bearer(viewer), body: #"{"temperature": 5}"#)
            try write.expectProblem(.forbidden, type: ProblemType.forbidden, detail: "this needs the operator role; the token has viewer")
            #expect(try await api.store.twin("room-1", in: "default")?.properties.value["temperature"] == 21)
        }
    }

    @Test func operatorsWriteTwinsButNotModels() async throws {
        try await APISession.run { api in
            let operatorToken = try await api.token(.operator)
            let twin = try await api.send(.put, "/v1/twins/room-1", as: .bearer(operatorToken), body: "{}")
            #expect(twin.status == .created)

            let model = #"[{"@id": "dtmi:example:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3"}]"#
            let refused = try await api.send(.post, "/v1/models", as: .bearer(operatorToken), body: model)
            try refused.expectProblem(.forbidden, type: ProblemType.forbidden, detail: "this needs the admin role; the token has operator")
            #expect(try await api.store.models(in: "default").isEmpty)

            let accepted = try await api.send(.post, "/v1/models", body: model)
            #expect(accepted.status == .created)
        }
    }

    @Test func adminsActInTheTenantTheyName() async throws {
        try await APISession.run { api in
            try await api.store.ensureTenant("acme")
            let acme: HTTPFields = [APISession.tenantHeader: "acme"]
            let created = try await api.send(.put, "/v1/twins/pump-1", headers: acme, body: #"{"rpm": 1200}"#)
            #expect(created.status == .created)

            #expect(try await api.store.twin("pump-1", in: "acme") != nil)
            #expect(try await api.store.twin("pump-1", in: "default") == nil)
            let fromDefault = try await api.send(.get, "/v1/twins/pump-1")
            try fromDefault.expectProblem(.notFound, type: ProblemType.notFound, detail: #"twin "pump-1" not found"#)
            let fromAcme = try await api.send(.get, "/v1/twins/pump-1", headers: acme)
            #expect(fromAcme.status == .ok)
            #expect(try fromAcme.json()["rpm"] == 1200)
        }
    }

    @Test func nonAdminsCannotNameAnotherTenant() async throws {
        try await APISession.run { api in
            try await api.store.ensureTenant("acme")
            let operatorToken = try await api.token(.operator)
            let response = try await api.send(
                .put, "/v1/twins/pump-1", as: .bearer(operatorToken), headers: [APISession.tenantHeader: "acme"], body: "{}")
            try response.expectProblem(
                .forbidden, type: ProblemType.forbidden, detail: "only admin tokens of the default tenant may name another tenant with X-Doppel-Tenant")
            #expect(try await api.store.twin("pump-1", in: "acme") == nil)

            // Naming the token's own tenant is no escalation.
            let own = try await api.send(
                .put, "/v1/twins/pump-1", as: .bearer(operatorToken), headers: [APISession.tenantHeader: "default"], body: "{}")
            #expect(own.status == .created)
        }
    }

    @Test func tokensOfOtherTenantsSeeOnlyTheirOwnTwins() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1")
            let acmeViewer = try await api.token(.viewer, tenant: "acme")
            let response = try await api.send(.get, "/v1/twins/room-1", as: .bearer(acmeViewer))
            try response.expectProblem(.notFound, detail: #"twin "room-1" not found"#)
        }
    }

    @Test func unknownTenantsAre404() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/v1/twins/room-1", headers: [APISession.tenantHeader: "nowhere"])
            try response.expectProblem(.notFound, type: ProblemType.notFound, detail: #"tenant "nowhere" not found"#)
        }
    }

    @Test func healthzNeedsNoToken() async throws {
        try await APISession.run { api in
            let response = try await api.send(.get, "/healthz", as: .anonymous)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"status":"ok","store":"ok"}"#)
        }
    }

    @Test func adminsMintWorkingTokensForNewTenants() async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/tokens", body: #"{"role": "operator", "name": "ci", "tenant": "beta"}"#)
            #expect(response.status == .created)
            #expect(response.headers[.contentType] == "application/json")
            let body = try response.json()
            #expect(body.objectValue.map { Set($0.keys) } == ["token", "tenant", "role", "name"])
            #expect(body["tenant"] == "beta")
            #expect(body["role"] == "operator")
            #expect(body["name"] == "ci")
            let token = try #require(body["token"]?.stringValue)
            #expect(token.hasPrefix("dop_"))
            #expect(try await api.store.tenants().contains("beta"))

            let put = try await api.send(.put, "/v1/twins/belt-1", as: .bearer(token), body: "{}")
            #expect(put.status == .created)
            #expect(try await api.store.twin("belt-1", in: "beta") != nil)
            #expect(try await api.store.twin("belt-1", in: "default") == nil)
            let models = try await api.send(.post, "/v1/models", as: .bearer(token), body: "[]")
            try models.expectProblem(.forbidden, detail: "this needs the admin role; the token has operator")
        }
    }

    @Test func tokensDefaultToTheCallersTenant() async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/tokens", body: #"{"role": "viewer", "name": "dash"}"#)
            #expect(response.status == .created)
            let body = try response.json()
            #expect(body["tenant"] == "default")
            let token = try #require(body["token"]?.stringValue)
            let grant = try #require(try await api.store.grant(for: token))
            #expect(grant.tenant == "default")
            #expect(grant.role == .viewer)
            #expect(grant.name == "dash")
        }
    }

    @Test func onlyAdminsMintTokens() async throws {
        try await APISession.run { api in
            let operatorToken = try await api.token(.operator)
            let response = try await api.send(.post, "/v1/tokens", as: .bearer(operatorToken), body: #"{"role": "admin", "name": "me"}"#)
            try response.expectProblem(.forbidden, detail: "this needs the admin role; the token has operator")
        }
    }

    @Test(arguments: [
        (#"{"role": "root", "name": "x"}"#, "role must be one of viewer, operator, admin"),
        (#"{"name": "x"}"#, "role must be one of viewer, operator, admin"),
        (#"{"role": "Admin", "name": "x"}"#, "role must be one of viewer, operator, admin"),
        (#"{"role": "viewer"}"#, "name must be a string of 1 to 128 bytes"),
        (#"{"role": "viewer", "name": ""}"#, "name must be a string of 1 to 128 bytes"),
        (#"{"role": "viewer", "name": 7}"#, "name must be a string of 1 to 128 bytes"),
        (#"{"role": "viewer", "name": "\#(String(repeating: "n", count: 129))"}"#, "name must be a string of 1 to 128 bytes"),
        (#"{"role": "viewer", "name": "x", "tenant": 5}"#, "tenant must be a string, found number"),
        (#"{"role": "viewer", "name": "x", "tenant": "Bad Tenant"}"#, #"invalid tenant id "Bad Tenant": may contain only a-z, 0-9, '-' and '_'"#),
        (#"["viewer"]"#, "body must be a JSON object, found array"),
    ])
    func tokenRequestsAreValidated(body: String, detail: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.post, "/v1/tokens", body: body)
            try response.expectProblem(.badRequest, detail: detail)
            #expect(try await api.store.tenants() == ["default"])
        }
    }
}
