import Foundation
import TwinModel

/// `DIR/ports.json`: the ports this process actually bound, for tools and tests that asked for port 0.
struct PortsFile: Sendable {
    let directory: URL

    var url: URL { directory.appendingPathComponent("ports.json") }

    /// Writes the file atomically, so a reader never sees half of it.
    func record(http: Int) throws {
        let document: JSONValue = ["http": .int(Int64(http)), "pid": .int(Int64(ProcessInfo.processInfo.processIdentifier))]
        try Data(document.encoded()).write(to: url, options: .atomic)
    }

    /// Removes the file on a clean stop, so a stale one never points at a dead process.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
