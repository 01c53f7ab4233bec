import ArgumentParser

/// `doppel sim …`: generated data and simulated fleets.
struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate portfolios and simulate fleets.",
        subcommands: [SimPortfolio.self, SimDevices.self]
    )
}
