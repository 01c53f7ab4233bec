import ArgumentParser

/// `doppel bench …`: whole-system benchmarks with machine-readable results.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run whole-system benchmarks.",
        subcommands: [BenchMQTT.self, BenchQuery.self, BenchImport.self, BenchFleet.self, BenchTelemetry.self]
    )
}
