import Broker
import Foundation
import GRDB
import Logging
import NIOCore
import Testing
import TwinModel
@testable import Sync

@Suite("IoT Hub dialect: SAS tokens, user names and topics")
struct AzureDialectTests {
    /// base64 of `0123456789abcdef0123456789abcdef`.
    static let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

    /// Tokens made by the SDKs' algorithm (HMAC-SHA256 over `{quote(sr, safe="")}\n{se}`), keyed with `key`
    /// unless said otherwise; `se` is `clock + 60` for the `localhost` ones.
    static let tokens = [
        "hub": "SharedAccessSignature sr=hub.example.net%2Fdevices%2Fpump-1&sig=kF55wTgTgXb5rwMmrez5W5dTB3nqB%2BFh7cwHgj75cmk%3D&se=1800000000",
        "pump-1": "SharedAccessSignature sr=localhost%2Fdevices%2Fpump-1&sig=2Y%2BQbcydszx9JNLkIr6mzbN%2Bwhdx1YK7ZzLkVNj9lio%3D&se=1700000060",
        // keyed with 32 bytes of 7
        "pump-1 other key": "SharedAccessSignature sr=localhost%2Fdevices%2Fpump-1&sig=TPo5q4mWQKqZKTFxmYA5NV6jYbzIp166lAJ%2FB7q34B8%3D&se=1700000060",
        "pump-2": "SharedAccessSignature sr=localhost%2Fdevices%2Fpump-2&sig=oqE2OmRNNYrytk8zVFKGkXTaCd4Pg0IOZqAB51BEiIU%3D&se=1700000060",
        "nobody": "SharedAccessSignature sr=localhost%2Fdevices%2Fnobody&sig=UkFMiGmh4CskwUo%2FWtUrEmvlaF6M0RphFEJRMnM559c%3D&se=1700000060",
        "off": "SharedAccessSignature sr=localhost%2Fdevices%2Foff&sig=djJjJ5bjG4fX5xcH8TJtWSqm%2BFe4R3Yk4yxb7t%2Fq4gY%3D&se=1700000060",
    ]

    @Test func parsesATokenAndRebuildsTheSignedString() throws {
        let parsed = try #require(SASToken(Self.tokens["hub"]!))
        #expect(parsed.resource == "hub.example.net/devices/pump-1")
        #expect(parsed.expiry == 1_800_000_000)
        #expect(parsed.keyName == nil)
        #expect(parsed.signature.count == 32)
        #expect(parsed.signedString == "hub.example.net%2Fdevices%2Fpump-1\n1800000000")
        #expect(parsed.grants(device: "pump-1", host: "HUB.example.net"))
        #expect(!parsed.grants(device: "pump-2", host: "hub.example.net"))
        #expect(!parsed.grants(device: "pump-1", host: "other.example.net"))
        #expect(!parsed.isExpired(at: 1_799_999_999))
        #expect(parsed.isExpired(at: 1_800_000_000))
    }

    @Test func readsFieldsInAnyOrderWithAPolicyName() throws {
        let parsed = try #require(SASToken("SharedAccessSignature se=10&skn=device&sig=AAAA&sr=h%2Fdevices%2Fd"))
        #expect(parsed.resource == "h/devices/d")
        #expect(parsed.keyName == "device")
        #expect(parsed.signature == [0, 0, 0])
    }

    @Test(arguments: [
        "sr=h%2Fdevices%2Fd&sig=AAAA&se=10",  // no scheme
        "SharedAccessSignature sr=h%2Fdevices%2Fd&sig=AAAA",  // no expiry
        "SharedAccessSignature sr=h%2Fdevices%2Fd&sig=AAAA&se=soon",
        "SharedAccessSignature sr=h%2Fdevices%2Fd&se=10",  // no signature
        "SharedAccessSignature sr=h%2Fdevices%2Fd&sig=not%20base64&se=10",
        "SharedAccessSignature sig=AAAA&se=10",  // no resource
        "SharedAccessSignature sr=a&sr=b&sig=AAAA&se=10",  // repeated field
    ])
    func refusesMalformedTokens(text: String) {
        #expect(SASToken(text) == nil)
    }

    @Test func parsesUserNames() throws {
        let name = try #require(AzureUsername("hub.example.net/pump-1/?api-version=2021-04-12&DeviceClientType=py", clientID: "pump-1"))
        #expect(name == AzureUsername("hub.example.net/pump-1/", clientID: "pump-1"))
        #expect(name.host == "hub.example.net")
        #expect(AzureUsername("hub/pump-1/?api-version=1", clientID: "pump-2") == nil)
        #expect(AzureUsername("default/pump-1", clientID: "pump-1") == nil)
        #expect(AzureUsername.looksLikeAzure("localhost/pump-1/", clientID: "pump-1"))
        #expect(AzureUsername.looksLikeAzure("x/y/?api-version=1", clientID: "z"))
        #expect(!AzureUsername.looksLikeAzure("default/pump-1", clientID: "pump-1"))
    }

    @Test(arguments: [
        ("$iothub/twin/GET/?$rid=7", AzureTopic.getTwin(requestID: "7")),
        ("$iothub/twin/PATCH/properties/reported/?$rid=a-b&$version=3", .patchReported(requestID: "a-b")),
        ("$iothub/methods/res/200/?$rid=42", .methodResponse(status: 200, requestID: "42")),
        ("devices/pump-1/messages/events/%24.ct=application%2Fjson", .telemetry(device: "pump-1", properties: "%24.ct=application%2Fjson")),
        ("devices/pump-1/messages/events/", .telemetry(device: "pump-1", properties: "")),
    ] as [(String, AzureTopic)])
    func parsesDeviceTopics(topic: String, expected: AzureTopic) {
        #expect(AzureTopic(topic) == expected)
    }

    @Test(arguments: [
        "$iothub/twin/GET/", "$iothub/twin/GET/?$rid=", "$iothub/twin/res/200/?$rid=1", "$iothub/methods/res/ok/?$rid=1",
        "$iothub/methods/POST/reboot/?$rid=1", "devices/pump-1/messages/devicebound/x", "devices//messages/events/",
    ])
    func ignoresOtherTopics(topic: String) {
        #expect(AzureTopic(topic) == nil)
    }

    @Test func namesAnswerTopics() {
        #expect(AzureTopic.twinResponse(status: 204, requestID: "9", version: 4) == "$iothub/twin/res/204/?$rid=9&$version=4")
        #expect(AzureTopic.twinResponse(status: 200, requestID: "9") == "$iothub/twin/res/200/?$rid=9")
        #expect(AzureTopic.desiredPatch(version: 5) == "$iothub/twin/PATCH/properties/desired/?$version=5")
        #expect(AzureTopic.methodRequest("reboot", requestID: "1") == "$iothub/methods/POST/reboot/?$rid=1")
    }

    // MARK: The authenticator against a registry

    static let clock: Int64 = 1_700_000_000

    func registry() async throws -> (AzureDeviceAuthenticator, TwinStore) {
        let store = try TwinStore(writer: DatabaseQueue(), logger: Logger(label: "t"))
        var credentials = DeviceCredentials()
        credentials.sasKeys = .set(SASKeys(primary: Self.key))
        _ = try await store.registerDevice("pump-1", in: "default", credentials: credentials, changedBy: "test")
        _ = try await store.registerDevice("off", in: "default", status: .disabled, credentials: credentials, changedBy: "test")
        return (AzureDeviceAuthenticator(store: store, now: { Self.clock }), store)
    }

    func connect(_ authenticator: AzureDeviceAuthenticator, device: String = "pump-1", token: String? = nil) async -> MQTTAuthenticationResult {
        await authenticator.authenticate(
            MQTTCredentials(
                clientID: device, username: "localhost/\(device)/?api-version=2021-04-12",
                password: ByteBuffer(string: Self.tokens[token ?? device]!)))
    }

    @Test func acceptsAValidTokenAndRefusesTheRest() async throws {
        let (authenticator, _) = try await registry()
        guard case .accepted(let identity) = await connect(authenticator) else {
            Issue.record("a valid token was refused")
            return
        }
        #expect(DeviceAuthenticator.device(of: identity) == DeviceAddress(tenant: "default", id: "pump-1"))
        #expect(await connect(authenticator, token: "pump-1 other key") == .refused(.badUserNameOrPassword))
        #expect(await connect(authenticator, token: "pump-2") == .refused(.badUserNameOrPassword))
        let later = AzureDeviceAuthenticator(store: authenticator.store, now: { Self.clock + 60 })
        #expect(await connect(later) == .refused(.badUserNameOrPassword), "an expired token")
        #expect(await connect(authenticator, device: "nobody") == .refused(.badUserNameOrPassword))
        #expect(await connect(authenticator, device: "off") == .refused(.notAuthorized))
    }

    @Test func limitsTopicsToTheDevicesOwn() async throws {
        let (authenticator, _) = try await registry()
        guard case .accepted(let identity) = await connect(authenticator) else {
            Issue.record("a valid token was refused")
            return
        }
        for topic in ["$iothub/twin/GET/?$rid=1", "$iothub/twin/PATCH/properties/reported/?$rid=2", "$iothub/methods/res/200/?$rid=3",
                      "devices/pump-1/messages/events/a=b"] {
            #expect(authenticator.mayPublish(identity, to: topic), "\(topic)")
        }
        for topic in ["$iothub/twin/res/200/?$rid=1", "$iothub/twin/PATCH/properties/desired/?$version=1", "devices/pump-2/messages/events/",
                      "tenant/default/device/pump-1/twin/reported"] {
            #expect(!authenticator.mayPublish(identity, to: topic), "\(topic)")
        }
        for filter in ["$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#", "$iothub/methods/POST/#", "devices/pump-1/messages/devicebound/#"] {
            #expect(authenticator.maySubscribe(identity, to: filter), "\(filter)")
        }
        for filter in ["$iothub/#", "#", "$iothub/twin/GET/#", "devices/+/messages/devicebound/#", "devices/pump-2/messages/devicebound/#"] {
            #expect(!authenticator.maySubscribe(identity, to: filter), "\(filter)")
        }
        #expect(!authenticator.mayPublish(MQTTIdentity(name: "x"), to: "$iothub/twin/GET/?$rid=1"))
    }
}
