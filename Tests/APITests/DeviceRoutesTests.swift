import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

@Suite("/v1/devices")
struct DeviceRoutesTests {
    static let invalidCredential = "https://doppel.dev/problems/invalid-credential"
    static let primaryKey = Data(repeating: 7, count: 32).base64EncodedString()
    static let secondaryKey = Data(repeating: 8, count: 32).base64EncodedString()
    static let secret = "pump-secret-0451"
    static let thumbprint = String(repeating: "AB", count: 32)
    static let fullBody = """
        {"model": "dtmi:x:Pump;1", "status": "enabled", "secret": "\(secret)",
         "sasKeys": {"primary": "\(primaryKey)", "secondary": "\(secondaryKey)"}, "x509Thumbprints": ["\(thumbprint)"]}
        """

    @Test func putRegistersThenUpdatesAndShowsNoSecret() async throws {
        try await APISession.run { api in
            let created = try await api.send(.put, "/v1/devices/pump-1", body: Self.fullBody)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            #expect(created.headers[.contentType] == "application/json")
            let device = try created.json()
            try expectJSON(
                device["credentials"],
                #"{"secret": true, "sasKeys": {"primary": true, "secondary": true}, "x509Thumbprints": ["\#(Self.thumbprint.lowercased())"]}"#)
            #expect(device["deviceId"] == "pump-1" && device["model"] == "dtmi:x:Pump;1" && device["status"] == "enabled")
            #expect(device["connectionState"] == "disconnected" && device["lastActivityTime"] == .null)
            #expect(isISO8601Milliseconds(device["createdAt"]?.stringValue) && isISO8601Milliseconds(device["updatedAt"]?.stringValue))
            #expect(try await api.store.verifyDeviceSecret(Self.secret, of: "pump-1", in: TwinStore.defaultTenant))

            let updated = try await api.send(.put, "/v1/devices/pump-1", body: #"{"status": "disabled", "secret": null}"#)
            #expect(updated.status == .ok)
            #expect(try updated.json()["status"] == "disabled")
            #expect(try updated.json()["credentials"]?["secret"] == false)
            #expect(try updated.json()["credentials"]?["sasKeys"]?["primary"] == true, "keys not mentioned are kept")

            let read = try await api.send(.get, "/v1/devices/pump-1")
            #expect(read.status == .ok)
            #expect(try read.json() == (try updated.json()))
            let twin = try await api.send(.get, "/v1/twins/pump-1")
            #expect(twin.status == .ok, "a disabled device's twin still answers")
            #expect(try twin.json()["$metadata"]?["$model"] == "dtmi:x:Pump;1")
        }
    }

    @Test func noResponseEverCarriesACredential() async throws {
        try await APISession.run { api in
            var bodies: [String] = []
            for (method, uri, body) in [
                (HTTPRequest.Method.put, "/v1/devices/pump-1", Self.fullBody), (.put, "/v1/devices/pump-1", Self.fullBody),
                (.get, "/v1/devices/pump-1", nil), (.get, "/v1/devices", nil), (.get, "/v1/devices/pump-1/connection", nil),
                (.get, "/v1/twins/pump-1", nil), (.get, "/v1/twins/pump-1/state", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let response = try await api.send(method, uri, body: body)
                #expect(response.status.code < 300, "\(method) \(uri): \(String(buffer: response.body))")
                bodies.append(String(buffer: response.body) + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
            }
            for text in bodies {
                for credential in [Self.secret, Self.primaryKey, Self.secondaryKey, String(Self.primaryKey.prefix(20))] {
                    #expect(!text.contains(credential), "a response holds \(credential): \(text)")
                }
            }
        }
    }

    @Test(arguments: [
        (#"{"sasKeys": {"primary": "not base64!"}}"#, "sasKeys.primary is not base64"),
        (#"{"sasKeys": {"primary": "AAAA"}}"#, "sasKeys.primary must decode to 16 to 64 bytes, found 3"),
        (#"{"sasKeys": {"secondary": "AAAA"}}"#, "sasKeys.primary is required"),
        (#"{"sasKeys": {"primary": 5}}"#, "sasKeys.primary must be a base64 string, found number"),
        (#"{"sasKeys": "key"}"#, "sasKeys must be an object, found string"),
        (#"{"x509Thumbprints": ["abc"]}"#, "x509Thumbprints[0] is not a SHA-1 (40) or SHA-256 (64) hex digest"),
        (#"{"x509Thumbprints": "abc"}"#, "x509Thumbprints must be an array, found string"),
        (#"{"secret": "short"}"#, "secret must be 8 to 256 bytes, found 5"),
        (#"{"secret": 12345678}"#, "secret must be a string, found number"),
    ])
    func badCredentialsAre400NamingTheField(body: String, detail: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/devices/pump-1", body: body)
            try response.expectProblem(.badRequest, type: Self.invalidCredential, detail: detail)
            #expect(try await api.store.twin("pump-1", in: TwinStore.defaultTenant) == nil, "nothing is stored")
        }
    }

    @Test(arguments: [
        (#"{"status": "paused"}"#, #"status must be "enabled" or "disabled", found "paused""#),
        (#"{"model": 3}"#, "model must be a string DTMI, found number"),
        (#"{"deviceId": "other"}"#, #"deviceId in the body ("other") does not match the device id "pump-1" in the path"#),
        (#"{"sasKey": {}}"#, #"unknown member "sasKey"; a device registration has model, status, secret, sasKeys, x509Thumbprints"#),
    ])
    func badMembersAre400(body: String, detail: String) async throws {
        try await APISession.run { api in
            let response = try await api.send(.put, "/v1/devices/pump-1", body: body)
            try response.expectProblem(.badRequest, type: ProblemType.badRequest, detail: detail)
        }
    }

    @Test func rolesAreEnforced() async throws {
        try await APISession.run { api in
            let viewer = try await api.token(.viewer)
            let operatorToken = try await api.token(.operator)
            let refused = try await api.send(.put, "/v1/devices/pump-1", as: .bearer(viewer), body: "{}")
            try refused.expectProblem(.forbidden, type: ProblemType.forbidden, detail: "this needs the operator role; the token has viewer")
            let anonymous = try await api.send(.get, "/v1/devices", as: .anonymous)
            try anonymous.expectProblem(.unauthorized)

            #expect(try await api.send(.put, "/v1/devices/pump-1", as: .bearer(operatorToken), body: "{}").status == .created)
            #expect(try await api.send(.get, "/v1/devices/pump-1", as: .bearer(viewer)).status == .ok)
            #expect(try await api.send(.get, "/v1/devices/pump-1/connection", as: .bearer(viewer)).status == .ok)
            #expect(try await api.send(.get, "/v1/devices", as: .bearer(viewer)).status == .ok)
            let viewerDelete = try await api.send(.delete, "/v1/devices/pump-1", as: .bearer(viewer))
            try viewerDelete.expectProblem(.forbidden)
            #expect(try await api.send(.delete, "/v1/devices/pump-1", as: .bearer(operatorToken)).status == .noContent)
        }
    }

    @Test func connectionShowsStateAndTimesInUTCMilliseconds() async throws {
        try await APISession.run { api in
            try await api.send(.put, "/v1/devices/pump-1", body: "{}")
            let fresh = try await api.send(.get, "/v1/devices/pump-1/connection")
            try expectJSON(try fresh.json(), #"{"deviceId": "pump-1", "connectionState": "disconnected", "lastActivityTime": null}"#)

            let tenant = TwinStore.defaultTenant
            try await api.store.recordDeviceConnection("pump-1", in: tenant, connected: true, at: Timestamp(milliseconds: 1_764_239_785_123))
            try await api.store.recordDeviceActivity("pump-1", in: tenant, at: Timestamp(milliseconds: 1_764_239_786_000))
            let connected = try await api.send(.get, "/v1/devices/pump-1/connection")
            try expectJSON(
                try connected.json(),
                #"""
                {"deviceId": "pump-1", "connectionState": "connected", "lastActivityTime": "2025-11-27T10:36:26.000Z",
                 "connectedAt": "2025-11-27T10:36:25.123Z"}
                """#)

            try await api.store.recordDeviceConnection("pump-1", in: tenant, connected: false, at: Timestamp(milliseconds: 1_764_239_787_001))
            let gone = try await api.send(.get, "/v1/devices/pump-1/connection")
            #expect(try gone.json()["connectionState"] == "disconnected")
            #expect(try gone.json()["disconnectedAt"] == "2025-11-27T10:36:27.001Z")
            #expect(try gone.json()["lastActivityTime"] == "2025-11-27T10:36:27.001Z")
        }
    }

    @Test func unknownDevicesAre404AndAPlainTwinIsNoDevice() async throws {
        try await APISession.run { api in
            try await api.putTwin("room-1")
            for (method, uri) in [
                (HTTPRequest.Method.get, "/v1/devices/room-1"), (.get, "/v1/devices/room-1/connection"), (.delete, "/v1/devices/room-1"),
                (.get, "/v1/devices/ghost"),
            ] {
                let response = try await api.send(method, uri)
                let id = uri.split(separator: "/")[2]
                try response.expectProblem(.notFound, type: ProblemType.notFound, detail: #"device "\#(id)" not found"#)
            }
        }
    }

    @Test func deleteKeepsTheTwinAndDeletingTheTwinRemovesTheDevice() async throws {
        try await APISession.run { api in
            try await api.send(.put, "/v1/devices/pump-1", body: #"{"model": "dtmi:x:Pump;1"}"#)
            try await api.send(.put, "/v1/devices/pump-2", body: "{}")
            #expect(try await api.send(.delete, "/v1/devices/pump-1").status == .noContent)
            #expect(try await api.send(.get, "/v1/devices/pump-1").status == .notFound)
            #expect(try await api.send(.get, "/v1/twins/pump-1").status == .ok)

            #expect(try await api.send(.delete, "/v1/twins/pump-2").status == .noContent)
            #expect(try await api.send(.get, "/v1/devices/pump-2").status == .notFound)
            try expectJSON(try await api.send(.get, "/v1/devices").json(), #"{"value": []}"#)
        }
    }

    @Test func listIsPerTenantAndPaged() async throws {
        try await APISession.run { api in
            let acme = try await api.token(.operator, tenant: "acme")
            try await api.send(.put, "/v1/devices/b", body: "{}")
            try await api.send(.put, "/v1/devices/a", body: "{}")
            try await api.send(.put, "/v1/devices/z", as: .bearer(acme), body: "{}")
            let list = try await api.send(.get, "/v1/devices")
            #expect(try list.json()["value"]?.arrayValue?.map { $0["deviceId"] } == ["a", "b"])
            #expect(try list.json()["continuationToken"] == nil)
            let acmeList = try await api.send(.get, "/v1/devices", as: .bearer(acme))
            #expect(try acmeList.json()["value"]?.arrayValue?.map { $0["deviceId"] } == ["z"])
            let fromAcme = try await api.send(.get, "/v1/devices/a", as: .bearer(acme))
            try fromAcme.expectProblem(.notFound)

            for index in 0..<1001 {
                try await api.store.registerDevice(String(format: "m-%04d", index), in: "acme", changedBy: "test")
            }
            let first = try await api.send(.get, "/v1/devices", as: .bearer(acme))
            #expect(try first.json()["value"]?.arrayValue?.count == 1000)
            let token = try #require(try first.json()["continuationToken"]?.stringValue)
            let second = try await api.send(.get, "/v1/devices?continuationToken=\(token)", as: .bearer(acme))
            #expect(try second.json()["value"]?.arrayValue?.map { $0["deviceId"] } == ["m-1000", "z"])
            #expect(try second.json()["continuationToken"] == nil)
            let bad = try await api.send(.get, "/v1/devices?continuationToken=%%%", as: .bearer(acme))
            try bad.expectProblem(.badRequest)
        }
    }
}
