import Foundation
import Synchronization
import TwinModel

/// `DIR/ports.json`: the ports this process actually bound, for tools and tests that asked for port 0.
///
/// Written once every listener has bound, so a reader that sees the file sees all of them.
final class PortsFile: Sendable {
    let directory: URL
    private let expected: Set<String>
    private let bound = Mutex<[String: Int]>([:])

    init(directory: URL, listeners: Set<String>) {
        self.directory = directory
        self.expected = listeners
    }

    var url: URL { directory.appendingPathComponent("ports.json") }

    /// Records one listener's port; the last of them writes the file, atomically.
    func record(_ listener: String, port: Int) throws {
        let complete: [String: Int]? = bound.withLock { bound in
            bound[listener] = port
            return Set(bound.keys) == expected ? bound : nil
        }
        guard let complete else { return }
        var document: JSONObject = ["pid": .int(Int64(ProcessInfo.processInfo.processIdentifier))]
        for (name, port) in complete.sorted(by: { $0.key < $1.key }) { document[name] = .int(Int64(port)) }
        try Data(JSONValue.object(document).encoded()).write(to: url, options: .atomic)
    }

    /// Removes the file on a clean stop, so a stale one never points at a dead process.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
