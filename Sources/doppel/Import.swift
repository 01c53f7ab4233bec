import ArgumentParser
import Foundation
import Logging
import TwinModel

/// `doppel import FILE…`: loads building-model files into a data directory or a running server.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import building models (ADT explorer JSON or bulk NDJSON, gbXML, Brick Turtle) into a data directory or a server.",
        discussion: """
            All files go in as one import, in one transaction: nothing is half-imported. Twins and relationships \
            are created or updated by id, so importing the same files again is safe. The format is detected \
            from each file unless --format says.
            """
    )

    @Argument(help: "Files to import.")
    var files: [String]

    @Option(help: "adt-json, adt-ndjson, gbxml or brick (detected when omitted).")
    var format: String?

    @Option(help: "Put this before every imported twin id (e.g. house-a-): gbXML and Brick ids are unique only within one file.")
    var idPrefix: String?

    @OptionGroup var target: ServerTarget

    @Option(help: "Tenant (with --data; with --server the token decides).")
    var tenant = TwinStore.defaultTenant

    @Flag(help: "Validate and report only; change nothing.")
    var dryRun = false

    func validate() throws {
        if let format, ModelFileFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(ModelFileFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Beyond this many, warnings are counted, not listed: a Brick file can have thousands of untyped nodes.
    static let warningsShown = 20

    func run() async throws {
        var combined = ADTGraphFile()
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("\(path): cannot read the file") }
            let bytes = [UInt8](data)
            guard let format = format.flatMap(ModelFileFormat.init(rawValue:)) ?? ModelFileFormat.detect(bytes, fileName: path) else {
                throw CommandError("\(path): not a known model file (ADT explorer JSON or bulk NDJSON, gbXML, Brick Turtle); give --format")
            }
            do {
                let file = try ModelFileFormat.read(bytes, format: format, name: path).prefixingIDs(with: idPrefix ?? "")
                combined.models += file.models
                combined.graph.twins += file.graph.twins
                combined.graph.relationships += file.graph.relationships
                combined.warnings += file.warnings
            } catch {
                throw CommandError(error.description)
            }
        }
        let summary: ImportSummary
        if let data = target.data {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let store = try TwinStore(path: (data as NSString).appendingPathComponent("doppel.sqlite"), logger: Logger(label: "doppel.import"))
            try await store.ensureTenant(tenant)
            let bar = ProgressBar(label: dryRun ? "checking" : "importing")
            let progress = ImportProgress(total: combined.graph.twins.count + combined.graph.relationships.count) { bar.draw($0, of: $1) }
            defer { bar.finish() }
            do {
                summary = try await store.importFile(combined, in: tenant, changedBy: "doppel import", dryRun: dryRun, progress: progress)
            } catch let error as TwinModelError {
                throw CommandError(error.description)
            }
        } else if let client = target.client() {
            let bulk = ADTGraphFile(models: combined.models, graph: combined.graph).encoded(as: .bulkNDJSON)
            summary = try await client.importFile(bulk, format: ADTGraphFile.Format.bulkNDJSON.rawValue, dryRun: dryRun)
        } else {
            throw CommandError("give --data or --server")
        }
        print(
            """
            \(dryRun ? "dry run (nothing changed): " : "")\(files.count) file(s)
            models: \(summary.modelsCreated) created
            twins: \(summary.twinsCreated) created, \(summary.twinsUpdated) updated
            relationships: \(summary.relationshipsCreated) created, \(summary.relationshipsUpdated) updated
            warnings: \(combined.warnings.count)
            """)
        for warning in combined.warnings.prefix(Self.warningsShown) {
            print("  warning: \(warning)")
        }
        if combined.warnings.count > Self.warningsShown {
            print("  … and \(combined.warnings.count - Self.warningsShown) more")
        }
    }
}
