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
    init(users: [String: String] = [:]) async throws {
        guard let executable = Self.executable else { throw TestMosquittoError.notInstalled }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-mosquitto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try await Self.freePort()
        var config = """
            listener \(port) 127.0.0.1
            persistence false
            log_dest none

            """
        if users.isEmpty {
            config += "allow_anonymous true\n"
        } else {
            let passwords = folder.appendingPathComponent("passwords")
            for (index, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
                let tool = Process()
                tool.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
                tool.arguments = (index == 0 ? ["-c"] : []) + ["-b", passwords.path, user, password]
                try tool.run()
                tool.waitUntilExit()
                guard tool.terminationStatus == 0 else { throw TestMosquittoError.passwordFile }
            }
            config += "allow_anonymous false\npassword_file \(passwords.path)\n"
        }
        let configFile = folder.appendingPathComponent("mosquitto.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", configFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await waitUntilAccepting()
    }

    /// Stops the broker and removes its folder.
    func stop() {
        if process.isRunning {
            // SIGKILL: the child may inherit a signal mask that blocks SIGTERM from the test runner.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
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

    /// Polls the port until the broker accepts connections: mosquitto tells no one when it is ready.
    private func waitUntilAccepting() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestMosquittoError.exited(process.terminationStatus) }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestMosquittoError.notListening(port)
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
