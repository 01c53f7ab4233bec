import ArgumentParser
import Foundation
import Logging
import TwinModel

/// `doppel sim portfolio`: writes a generated RealEstateCore-style portfolio into a data directory.
struct SimPortfolio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Generate a REC-style portfolio (sites, buildings, levels, rooms, sensors, HVAC, meters) into a data directory.",
        discussion: "The same seed and sizes always give the same graph. Re-running updates the twins in place."
    )

    @OptionGroup var portfolio: PortfolioOptions

    @Option(help: "Data directory to write into (created if missing).")
    var data: String

    @Option(help: "Tenant to write into.")
    var tenant = TwinStore.defaultTenant

    func run() async throws {
        let shape = portfolio.shape
        let generator = portfolio.generator
        let started = ContinuousClock.now
        let graph = generator.generate()
        let generated = ContinuousClock.now
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let store = try TwinStore(path: (data as NSString).appendingPathComponent("doppel.sqlite"), logger: Logger(label: "doppel.sim"))
        try await store.ensureTenant(tenant)
        let summary = try await store.importGraph(graph, in: tenant, changedBy: "doppel sim portfolio")
        let imported = ContinuousClock.now
        let rows = graph.twins.count + graph.relationships.count
        let seconds = (imported - generated).seconds
        print(
            """
            portfolio: \(shape.sites) sites × \(shape.buildingsPerSite) buildings × \(shape.levelsPerBuilding) levels × \
            \(shape.roomsPerLevel) rooms × \(shape.sensorsPerRoom) sensors (seed \(portfolio.seed))
            twins: \(summary.twinsCreated) created, \(summary.twinsUpdated) updated
            relationships: \(summary.relationshipsCreated) created, \(summary.relationshipsUpdated) updated
            generated in \(String(format: "%.2f", (generated - started).seconds)) s; \
            stored in \(String(format: "%.2f", seconds)) s (\(Int(Double(rows) / max(seconds, 0.000_001))) rows/s)
            """)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
