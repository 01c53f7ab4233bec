import Foundation
import NIOCore
import Testing

@testable import Broker

@Suite("Password files and the password-file authenticator")
struct PasswordFileTests {
    static let gateway = PasswordHash(password: "gateway-pw", salt: Array("gateway-salt-001".utf8), iterations: 1_000)
    static let sensor = PasswordHash(password: "sensor:pw", salt: Array("sensor-salt-0001".utf8), iterations: 1_000)

    @Test func parsesUsersSkippingCommentsAndBlankLines() throws {
        let text = "# users\n\ngateway-7:\(Self.gateway.encoded)\r\n  # indented comment\nsensor 1:\(Self.sensor.encoded)\n"
        let file = try PasswordFile(parsing: text, path: "users.txt")
        #expect(file.users == ["gateway-7": Self.gateway, "sensor 1": Self.sensor])
    }

    @Test(arguments: [
        ("gateway\n", 1, "expected username:hash"),
        ("# ok\n:\(PasswordFileTests.gateway.encoded)\n", 2, "the user name is empty"),
        (" gateway:\(PasswordFileTests.gateway.encoded)", 1, "the user name \" gateway\" starts or ends with white space"),
        ("a:\(PasswordFileTests.gateway.encoded)\n\na:\(PasswordFileTests.sensor.encoded)", 3, "user \"a\" appears twice"),
        ("a:plaintext", 1, "user \"a\": the hash is not $pbkdf2-sha256$ITERATIONS$SALT$KEY"),
        ("a:\(PasswordFileTests.gateway.encoded)\nb:$pbkdf2-sha256$10$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", 2,
         "user \"b\": iterations must be a number from 1000 to 10000000, not \"10\""),
    ])
    func refusesMalformedLinesWithFileAndLine(text: String, line: Int, problem: String) {
        #expect(throws: MQTTConfigurationError.malformedPasswordLine(path: "users.txt", line: line, problem: problem)) {
            try PasswordFile(parsing: text, path: "users.txt")
        }
    }

    @Test func errorsReadAsFileColonLine() {
        let error = MQTTConfigurationError.malformedPasswordLine(path: "/etc/doppel/users", line: 4, problem: "the user name is empty")
        #expect(error.description == "/etc/doppel/users:4: the user name is empty")
    }

    @Test func readsAFileAndNamesAMissingOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-users-\(UInt64.random(in: 0...UInt64.max))").path
        try "gateway-7:\(Self.gateway.encoded)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try PasswordFile(contentsOf: path).users == ["gateway-7": Self.gateway])
        #expect(throws: MQTTConfigurationError.unreadableFile(path: path + ".missing", reason: "no such file")) {
            try PasswordFile(contentsOf: path + ".missing")
        }
    }

    static func credentials(_ username: String?, _ password: String?) -> MQTTCredentials {
        MQTTCredentials(clientID: "c1", username: username, password: password.map { ByteBuffer(string: $0) })
    }

    @Test func acceptsKnownUsersWithTheirPasswordOnly() async throws {
        let file = try PasswordFile(parsing: "gateway-7:\(Self.gateway.encoded)\nsensor:\(Self.sensor.encoded)", path: "users")
        let authenticator = PasswordFileAuthenticator(file)
        let accepted = await authenticator.authenticate(Self.credentials("gateway-7", "gateway-pw"))
        #expect(accepted == .accepted(MQTTIdentity(name: "gateway-7", attributes: ["authentication": "password"])))
        #expect(await authenticator.authenticate(Self.credentials("sensor", "sensor:pw")) != .refused(.badUserNameOrPassword))
        #expect(await authenticator.authenticate(Self.credentials("gateway-7", "sensor:pw")) == .refused(.badUserNameOrPassword))
        #expect(await authenticator.authenticate(Self.credentials("gateway-7", nil)) == .refused(.badUserNameOrPassword))
        #expect(await authenticator.authenticate(Self.credentials("nobody", "gateway-pw")) == .refused(.badUserNameOrPassword))
        #expect(authenticator.authenticateImmediately(Self.credentials("gateway-7", "gateway-pw")) == nil, "hashing stays off the event loop")
    }

    @Test func handlesClientsWithAUserNameOnly() throws {
        let authenticator = PasswordFileAuthenticator(try PasswordFile(parsing: "", path: "users"))
        #expect(authenticator.handles(Self.credentials("someone", nil)))
        #expect(!authenticator.handles(Self.credentials(nil, nil)))
    }
}
