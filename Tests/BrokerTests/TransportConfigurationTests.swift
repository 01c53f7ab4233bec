import Foundation
import NIOHTTP1
import Testing

@testable import Broker

@Suite("TLS files and WebSocket requests of the broker's transports")
struct TransportConfigurationTests {
    /// A self-signed test certificate (CN=device-1), its key, and an unrelated key. Test data only.
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUNXYowD5YQfZ3+QVbbrIaEYnkF/8wCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIZGV2aWNlLTEwIBcNMjYxMTI3MTM1MTM2WhgPMjEyNjExMDMx
MzUxMzZaMBMxETAPBgNVBAMMCGRldmljZS0xMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAERwdUph4p14y87lkXMYWh/pqt4eNUCTtz3HDkdj1G3aK9WLwDmBqLvaZx
0CG0JC5XaF9wPgmOzwtQ4WOgbDEPTKNTMFEwHQYDVR0OBBYEFMLO9h4CniT5Hs38
m6WhGHqXQrR5MB8GA1UdIwQYMBaAFMLO9h4CniT5Hs38m6WhGHqXQrR5MA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgRRFhOTwIBS9e6k/WalF37lbp
BwpvmaE1qSZ1CrT6MDQCIQD8t43cyu0/itpcThRefPQWrbrA94nNjcTVcPaZXT+X
rA==
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4aJ0qJEJkItChWxw
VxYeG2LH5Ed5FTpVZmVKAFQrTKChRANCAARHB1SmHinXjLzuWRcxhaH+mq3h41QJ
O3PccOR2PUbdor1YvAOYGou9pnHQIbQkLldoX3A+CY7PC1DhY6BsMQ9M
-----END PRIVATE KEY-----
"""
    static let otherKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKEnu17vZOIPzwz4J
KEhPkXOwUPorM/HOiKBxgX9WGD6hRANCAATrPZ52rmh3/MkFVPIsK5ORm9TgUmLz
6MY4pLu6ze/JkthAfkNo82cmcvXpXYv9Gd49dx6Om2+pEvPLyz+RqtGN
-----END PRIVATE KEY-----
"""

    /// Writes `files` into a fresh directory and hands their paths to `body`.
    static func withFiles(_ files: [String: String], _ body: ([String: String]) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-tls-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String: String] = [:]
        for (name, contents) in files {
            let path = directory.appendingPathComponent(name).path
            try contents.write(toFile: path, atomically: true, encoding: .utf8)
            paths[name] = path
        }
        try body(paths)
    }

    @Test func loadsAMatchingCertificateAndKey() throws {
        try Self.withFiles(["cert.pem": Self.certificate, "key.pem": Self.key]) { paths in
            let plain = try MQTTTLSConfiguration(certificateFile: paths["cert.pem"]!, privateKeyFile: paths["key.pem"]!)
            #expect(!plain.requiresClientCertificate)
            let mutual = try MQTTTLSConfiguration(
                certificateFile: paths["cert.pem"]!, privateKeyFile: paths["key.pem"]!, clientCAFile: paths["cert.pem"]!)
            #expect(mutual.requiresClientCertificate)
        }
    }

    @Test func namesTheFileThatCannotBeUsed() throws {
        try Self.withFiles(["cert.pem": Self.certificate, "key.pem": Self.key, "other.pem": Self.otherKey, "junk.pem": "not PEM\n"]) {
            paths in
            let cert = paths["cert.pem"]!
            let key = paths["key.pem"]!
            #expect(throws: MQTTConfigurationError.unreadableFile(path: cert + "x", reason: "no such file")) {
                try MQTTTLSConfiguration(certificateFile: cert + "x", privateKeyFile: key)
            }
            #expect(throws: MQTTConfigurationError.notPEM(path: paths["junk.pem"]!, what: "certificate")) {
                try MQTTTLSConfiguration(certificateFile: paths["junk.pem"]!, privateKeyFile: key)
            }
            #expect(throws: MQTTConfigurationError.notPEM(path: cert, what: "private key")) {
                try MQTTTLSConfiguration(certificateFile: cert, privateKeyFile: cert)
            }
            #expect(throws: MQTTConfigurationError.keyDoesNotMatchCertificate(key: paths["other.pem"]!, certificate: cert)) {
                try MQTTTLSConfiguration(certificateFile: cert, privateKeyFile: paths["other.pem"]!)
            }
            #expect(throws: MQTTConfigurationError.notPEM(path: key, what: "certificate")) {
                try MQTTTLSConfiguration(certificateFile: cert, privateKeyFile: key, clientCAFile: key)
            }
        }
    }

    static func request(_ uri: String, method: HTTPMethod = .GET, headers: [(String, String)]) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers))
    }

    static let upgrade = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Protocol", "mqtt")]

    @Test func upgradesMQTTRequestsOnItsPathOnly() {
        #expect(MQTTWebSocketRequest(Self.request("/mqtt", headers: Self.upgrade), path: "/mqtt") == .upgrade)
        #expect(MQTTWebSocketRequest(Self.request("/mqtt?x=1", headers: Self.upgrade), path: "/mqtt") == .upgrade)
        let several = [("Upgrade", "websocket"), ("Sec-WebSocket-Protocol", "mqttv3.1, mqtt")]
        #expect(MQTTWebSocketRequest(Self.request("/mqtt", headers: several), path: "/mqtt") == .upgrade)
    }

    @Test(arguments: [
        ("/other", [("Upgrade", "websocket"), ("Sec-WebSocket-Protocol", "mqtt")], HTTPResponseStatus.notFound),
        ("/mqtt/x", [("Upgrade", "websocket"), ("Sec-WebSocket-Protocol", "mqtt")], .notFound),
        ("/mqtt", [("Upgrade", "websocket")], .badRequest),
        ("/mqtt", [("Upgrade", "websocket"), ("Sec-WebSocket-Protocol", "chat")], .badRequest),
        ("/mqtt", [("Upgrade", "websocket"), ("Sec-WebSocket-Protocol", "MQTT")], .badRequest),
        ("/mqtt", [], .upgradeRequired),
    ])
    func refusesEverythingElse(uri: String, headers: [(String, String)], status: HTTPResponseStatus) {
        guard case .refuse(let refused, _) = MQTTWebSocketRequest(Self.request(uri, headers: headers), path: "/mqtt") else {
            Issue.record("\(uri) \(headers) was upgraded")
            return
        }
        #expect(refused == status)
    }

    @Test func refusesOtherMethods() {
        guard case .refuse(let status, _) = MQTTWebSocketRequest(Self.request("/mqtt", method: .POST, headers: Self.upgrade), path: "/mqtt") else {
            Issue.record("POST was upgraded")
            return
        }
        #expect(status == .methodNotAllowed)
    }
}
