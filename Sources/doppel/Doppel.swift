import ArgumentParser

/// The one executable: serve, and (as they arrive) import, query, sim and bench.
@main
struct Doppel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppel",
        abstract: "A self-hosted digital-twin service for IoT fleets.",
        version: "0.1.0",
        subcommands: [Serve.self, Import.self, Query.self, Sim.self, Bench.self],
        defaultSubcommand: nil
    )
}
