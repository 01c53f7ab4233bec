import ArgumentParser
import TwinModel

/// The size and seed of a generated portfolio, shared by `doppel sim portfolio` and `doppel bench import`.
struct PortfolioOptions: ParsableArguments {
    @Option(help: "Approximate number of twins to generate.")
    var twins = 10_000

    @Option(help: "Number of sites (campuses).")
    var sites = 2

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...50_000_000).contains(twins) else { throw ValidationError("--twins must be from 1 to 50,000,000") }
        guard (1...10_000).contains(sites) else { throw ValidationError("--sites must be from 1 to 10,000") }
    }

    var shape: PortfolioGenerator.Shape { .approximately(twins: twins, sites: sites) }

    var generator: PortfolioGenerator { PortfolioGenerator(shape: shape, seed: seed) }
}
