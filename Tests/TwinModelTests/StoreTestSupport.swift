import Foundation
import GRDB
import Logging
import Testing
@testable import TwinModel

/// Builders shared by the Store*Tests suites.
enum StoreFixture {
    static let logger = Logger(label: "test")
    static let tenant = TwinStore.defaultTenant

    /// A store on a fresh in-memory database; the queue is returned for direct SQL checks.
    static func memory(_ configuration: StoreConfiguration = StoreConfiguration()) throws -> (store: TwinStore, queue: DatabaseQueue) {
        let queue = try DatabaseQueue()
        let store = try TwinStore(writer: queue, configuration: configuration, logger: logger)
        return (store, queue)
    }

    /// A time in milliseconds, for readability.
    static func at(_ milliseconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds) }

    /// Creates `ids` as empty twins in `tenant` at `time`.
    static func createTwins(_ ids: [String], in store: TwinStore, tenant: String = tenant, at time: Timestamp = at(1_000)) async throws {
        for id in ids {
            try await store.putTwin(id, model: nil, properties: [:], in: tenant, createOnly: true, changedBy: "setup", at: time)
        }
    }

    /// The `TwinModelError` that `body` throws, or `nil` when it throws nothing (any other error fails the test).
    static func error<T>(
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async -> TwinModelError? {
        do {
            _ = try await body()
            return nil
        } catch let error as TwinModelError {
            return error
        } catch {
            Issue.record("expected a TwinModelError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// A JSON Patch from its text form, e.g. `[{"op":"add","path":"/a","value":1}]`.
    static func jsonPatch(_ text: String) throws -> JSONPatch {
        try JSONPatch(try JSONParser().parse(text))
    }

    /// Counts rows with plain SQL.
    static func count(_ sql: String, arguments: StatementArguments = [], in reader: any DatabaseReader) throws -> Int {
        try reader.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }
}

/// A unique directory under the system temporary directory, removed by `remove()`.
struct StoreTemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
