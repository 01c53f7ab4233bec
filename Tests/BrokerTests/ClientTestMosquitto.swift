import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Broker

/// A real mosquitto broker for the client tests: started on a free loopback port with a configuration of
/// its own in a temporary folder, stopped by ``stop()``. Tests that need it are skipped when mosquitto is
/// not installed (`scripts/install-deps --test` installs it).
final class TestMosquitto: Sendable {
    /// The broker's executable, looked up in `PATH` and in `/usr/sbin` (where Debian puts it).
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        return folders.map { "\($0)/mosquitto" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isInstalled: Bool { executable != nil }

    let port: Int
    private let process: Process
    private let folder: URL

    /// Starts mosquitto; `users` (name → password) turns anonymous access off and requires credentials.
    ///
    /// The port is found free and then handed to mosquitto, so another test's listener or outgoing
    /// connection may take it in between (tests run in parallel): the broker is accepted only once it
    /// answers an MQTT CONNECT while still running, and started again on another port otherwise.
    init(users: [String: String] = [:]) async throws {
        guard let executable = Self.executable else { throw TestMosquittoError.notInstalled }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-mosquitto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let passwords = try Self.passwordFile(users, in: folder)
        var attempt = 0
        while true {
            attempt += 1
            let port = try await Self.freePort()
            var config = """
                listener \(port) 127.0.0.1
                persistence false
                log_dest none

                """
            config += passwords.map { "allow_anonymous false\npassword_file \($0)\n" } ?? "allow_anonymous true\n"
            let configFile = folder.appendingPathComponent("mosquitto.conf")
            try config.write(to: configFile, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-c", configFile.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if await Self.answersMQTT(process, port: port, credentials: users.first) {
                self.port = port
                self.process = process
                return
            }
            Self.kill(process)
            guard attempt < 5 else { throw TestMosquittoError.notListening(port) }
        }
    }

    private static func passwordFile(_ users: [String: String], in folder: URL) throws -> String? {
        guard !users.isEmpty else { return nil }
        let passwords = folder.appendingPathComponent("passwords")
        for (index, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
            tool.arguments = (index == 0 ? ["-c"] : []) + ["-b", passwords.path, user, password]
            try tool.run()
            tool.waitUntilExit()
            guard tool.terminationStatus == 0 else { throw TestMosquittoError.passwordFile }
        }
        return passwords.path
    }

    private static func kill(_ process: Process) {
        if process.isRunning {
            // SIGKILL: the child may inherit a signal mask that blocks SIGTERM from the test runner.
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops the broker and removes its folder.
    func stop() {
        Self.kill(process)
        try? FileManager.default.removeItem(at: folder)
    }

    /// A port nothing listens on: bound to port 0, read back, closed.
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// Polls the port until the broker answers an MQTT CONNECT (mosquitto tells no one when it is ready),
    /// as long as our process still runs: whatever else answers there is not our broker.
    private static func answersMQTT(_ process: Process, port: Int, credentials: (key: String, value: String)?) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, process.isRunning {
            var configuration = MQTTClientConfiguration(protocolVersion: .v311, clientIdentifier: "probe-\(UUID().uuidString.prefix(8))")
            configuration.requestTimeout = .seconds(2)
            if let credentials {
                configuration.username = credentials.key
                configuration.password = ByteBuffer(string: credentials.value)
            }
            if let probe = try? await MQTTClient.connect(host: "127.0.0.1", port: port, configuration: configuration) {
                try? await probe.disconnect()
                return process.isRunning
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Runs `body` with a fresh broker and stops it afterwards, whatever happens.
    static func with<T>(users: [String: String] = [:], _ body: (TestMosquitto) async throws -> T) async throws -> T {
        let broker = try await TestMosquitto(users: users)
        defer { broker.stop() }
        return try await body(broker)
    }

    /// A client of this broker.
    func client(
        _ version: MQTTProtocolVersion,
        id: String,
        configure: (inout MQTTClientConfiguration) -> Void = { _ in }
    ) async throws -> MQTTClient {
        var configuration = MQTTClientConfiguration(protocolVersion: version, clientIdentifier: id)
        configure(&configuration)
        return try await MQTTClient.connect(host: "127.0.0.1", port: port, configuration: configuration)
    }
}

enum TestMosquittoError: Error {
    case notInstalled
    case passwordFile
    case exited(Int32)
    case notListening(Int)
}
