import Foundation
import TwinModel

/// A child process whose standard output arrives as lines, for the benchmarks that run a server and load
/// generators in processes of their own.
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    /// The child's standard output, a line at a time; ends when the child closes it.
    let lines: AsyncStream<String>

    init(_ executable: String, _ arguments: [String], quiet: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        if quiet { process.standardError = FileHandle.nullDevice }
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        let pending = LineBuffer()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in pending.append(data) { continuation.yield(line) }
        }
        try process.run()
    }

    /// The HTTP and MQTT ports a `doppel serve` child wrote to `DIR/ports.json`.
    static func waitForPorts(in directory: URL) async throws -> (http: Int, mqtt: Int) {
        let file = directory.appendingPathComponent("ports.json")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: file.path), let ports = try? JSONParser().parse(data),
                let http = ports["http"]?.intValue, let mqtt = ports["mqtt"]?.intValue
            {
                return (Int(http), Int(mqtt))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandError("the server did not start within 60 s")
    }

    /// SIGTERM, then waits for the exit.
    func stop() async {
        if process.isRunning { process.terminate() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}

/// Bytes not yet ending in a newline.
private final class LineBuffer: @unchecked Sendable {
    private var bytes = Data()
    private let lock = NSLock()

    func append(_ data: Data) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        bytes.append(data)
        var lines: [String] = []
        while let newline = bytes.firstIndex(of: 0x0A) {
            lines.append(String(decoding: bytes[bytes.startIndex..<newline], as: UTF8.self))
            bytes.removeSubrange(bytes.startIndex...newline)
        }
        return lines
    }
}
