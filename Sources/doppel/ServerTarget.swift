import ArgumentParser
import Foundation

/// Where a command works: a data directory read directly, or a running server.
struct ServerTarget: ParsableArguments {
    @Option(help: "Data directory to work on directly.")
    var data: String?

    @Option(help: "Base URL of a running Doppel, e.g. http://127.0.0.1:8080.")
    var server: String?

    @Option(help: "Bearer token for --server (or DOPPEL_TOKEN).")
    var token: String?

    func validate() throws {
        guard (data == nil) != (server == nil) else { throw ValidationError("give exactly one of --data or --server") }
    }

    /// A client for `--server`, with the token from the flag or the environment.
    func client(tenant: String? = nil) -> DoppelClient? {
        server.map { DoppelClient(server: $0, token: token ?? ProcessInfo.processInfo.environment["DOPPEL_TOKEN"], tenant: tenant) }
    }
}
