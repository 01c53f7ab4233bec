import ArgumentParser
import Foundation
import Logging
import TwinModel

#if canImport(Glibc)
import Glibc
#endif

/// `doppel bench import`: a generated portfolio written as an ADT bulk NDJSON file, then imported from that
/// file into a fresh data directory, timed from reading the file to the committed transaction.
struct BenchImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Measure importing a generated portfolio's ADT bulk NDJSON file into a fresh data directory.",
        discussion: """
            The file is written once into --work (and reused); each run removes --work/data first. The timing covers
            reading and parsing the file, validating it and storing it in one transaction, as `doppel import` does.
            """
    )

    /// `--twins` and `--sites` default to the sim's 10,000 and 2; the benchmark of record passes 1,000,000 and 20.
    @OptionGroup var portfolio: PortfolioOptions

    @Option(help: "Folder for the NDJSON file and the data directory (created if missing).")
    var work: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let file = (work as NSString).appendingPathComponent(
            "portfolio-\(portfolio.twins)-\(portfolio.sites)-\(portfolio.seed).ndjson")
        let data = (work as NSString).appendingPathComponent("data")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: file) {
            let graph = portfolio.generator.generate()
            let bytes = ADTGraphFile(graph: graph).encoded(as: .bulkNDJSON)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
                throw CommandError("\(file): cannot write the file")
            }
        }
        if FileManager.default.fileExists(atPath: data) { try FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)

        let started = ContinuousClock.now
        guard let contents = FileManager.default.contents(atPath: file) else { throw CommandError("\(file): cannot read the file") }
        let parsed = try ModelFileFormat.read([UInt8](contents), format: .adtNDJSON, name: file)
        let read = ContinuousClock.now
        let store = try TwinStore(path: (data as NSString).appendingPathComponent("doppel.sqlite"), logger: Logger(label: "doppel.bench"))
        let summary = try await store.importFile(parsed, in: TwinStore.defaultTenant, changedBy: "doppel bench import")
        let stored = ContinuousClock.now

        let rows = summary.twinsCreated + summary.relationshipsCreated
        let total = (stored - started).seconds
        let result: JSONObject = [
            "benchmark": "import", "file": .string(file), "fileBytes": .int(Int64(contents.count)),
            "twins": .int(Int64(summary.twinsCreated)), "relationships": .int(Int64(summary.relationshipsCreated)),
            "readSeconds": .double((read - started).seconds), "storeSeconds": .double((stored - read).seconds),
            "totalSeconds": .double(total), "rowsPerSecond": .double(Double(rows) / max(total, 0.000_001)),
            "peakResidentBytes": .int(Self.peakResidentBytes()),
        ]
        if json {
            print(JSONValue.object(result).description)
        } else {
            print(
                """
                file: \(file) (\(contents.count) bytes)
                twins: \(summary.twinsCreated), relationships: \(summary.relationshipsCreated)
                read and parsed in \(String(format: "%.2f", (read - started).seconds)) s; \
                validated and stored in \(String(format: "%.2f", (stored - read).seconds)) s
                \(Int(Double(rows) / max(total, 0.000_001))) rows/s; peak resident memory \(Self.peakResidentBytes() / 1_048_576) MiB
                """)
        }
    }

    /// The process's peak resident set size (Linux reports `ru_maxrss` in KiB).
    static func peakResidentBytes() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }
}
