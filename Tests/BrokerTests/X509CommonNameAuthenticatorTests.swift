import Testing

@testable import Broker

@Suite("Certificate CN as client id, and chains of authenticators")
struct X509CommonNameAuthenticatorTests {
    static func credentials(clientID: String, commonName: String?, username: String? = nil) -> MQTTCredentials {
        MQTTCredentials(clientID: clientID, username: username, certificateCommonName: commonName)
    }

    @Test func acceptsAClientWhoseCertificateNamesItsClientID() {
        let result = X509CommonNameAuthenticator().authenticateImmediately(Self.credentials(clientID: "device-1", commonName: "device-1"))
        #expect(result == .accepted(MQTTIdentity(name: "device-1", attributes: ["device": "device-1", "authentication": "x509"])))
    }

    @Test(arguments: [("device-2", "device-1"), ("", "device-1"), ("Device-1", "device-1"), ("", "")])
    func refusesAnotherClientIDWithNotAuthorized(clientID: String, commonName: String) {
        let result = X509CommonNameAuthenticator().authenticateImmediately(Self.credentials(clientID: clientID, commonName: commonName))
        #expect(result == .refused(.notAuthorized))
        #expect(MQTTReasonCode.notAuthorized.rawValue == 0x87)
    }

    @Test func handlesOnlyClientsWithACertificate() {
        let authenticator = X509CommonNameAuthenticator()
        #expect(authenticator.handles(Self.credentials(clientID: "d", commonName: "d")))
        #expect(!authenticator.handles(Self.credentials(clientID: "d", commonName: nil, username: "d")))
    }

    /// Authorizes topics under `allowed/` only, to tell its answers apart.
    struct Prefix: MQTTAuthenticator {
        let prefix: String
        let accepts: Bool
        func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult { authenticateImmediately(credentials)! }
        func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? {
            accepts ? .accepted(MQTTIdentity(name: prefix)) : .refused(.notAuthorized)
        }
        func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool { topic.hasPrefix(prefix) }
        func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool { filter.hasPrefix(prefix) }
    }

    @Test func delegatesTopicsToItsAuthorization() {
        let authenticator = X509CommonNameAuthenticator(authorizingWith: Prefix(prefix: "allowed/", accepts: false))
        let identity = MQTTIdentity(name: "device-1")
        #expect(authenticator.mayPublish(identity, to: "allowed/x"))
        #expect(!authenticator.mayPublish(identity, to: "other/x"))
        #expect(authenticator.maySubscribe(identity, to: "allowed/#"))
        #expect(!authenticator.maySubscribe(identity, to: "#"))
    }

    @Test func aChainLetsTheFirstMemberThatHandlesTheClientDecideAndAuthorize() throws {
        let chain = MQTTAuthenticatorChain([
            X509CommonNameAuthenticator(authorizingWith: Prefix(prefix: "devices/", accepts: false)),
            Prefix(prefix: "public/", accepts: true),
        ])
        let device = try #require(chain.authenticateImmediately(Self.credentials(clientID: "device-1", commonName: "device-1")))
        guard case .accepted(let deviceIdentity) = device else { Issue.record("device refused: \(device)"); return }
        #expect(deviceIdentity.name == "device-1")
        #expect(chain.mayPublish(deviceIdentity, to: "devices/device-1/telemetry"))
        #expect(!chain.mayPublish(deviceIdentity, to: "public/news"))

        let other = try #require(chain.authenticateImmediately(Self.credentials(clientID: "tool", commonName: nil)))
        guard case .accepted(let otherIdentity) = other else { Issue.record("fallback refused: \(other)"); return }
        #expect(otherIdentity.name == "public/")
        #expect(chain.maySubscribe(otherIdentity, to: "public/#"))
        #expect(!chain.maySubscribe(otherIdentity, to: "devices/#"))

        // A certificate that names another client is refused, not handed to the fallback.
        #expect(chain.authenticateImmediately(Self.credentials(clientID: "tool", commonName: "device-1")) == .refused(.notAuthorized))
        // An identity no member accepted is allowed nothing.
        #expect(!chain.mayPublish(MQTTIdentity(name: "forged"), to: "public/news"))
    }

    @Test func aChainRefusesClientsNoMemberHandles() {
        let chain = MQTTAuthenticatorChain([X509CommonNameAuthenticator()])
        #expect(chain.authenticateImmediately(Self.credentials(clientID: "c", commonName: nil)) == .refused(.notAuthorized))
        #expect(!chain.handles(Self.credentials(clientID: "c", commonName: nil)))
    }
}
