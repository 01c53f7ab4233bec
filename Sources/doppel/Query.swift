import ArgumentParser
import Foundation
import Logging
import TwinModel

/// `doppel query 'SELECT …'`: runs a query against a data directory or a running server.
struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an ADT-style graph query against a data directory or a server.",
        discussion: "Give --data DIR to read a data directory directly, or --server URL --token T to ask a running Doppel."
    )

    @Argument(help: "The query, e.g. \"SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-1'\".")
    var text: String

    @OptionGroup var target: ServerTarget

    @Option(help: "Tenant; with --server it is sent as X-Doppel-Tenant (default: the token's tenant).")
    var tenant: String?

    @Option(help: "Output: json (one item per line) or table.")
    var format: OutputFormat = .json

    enum OutputFormat: String, ExpressibleByArgument { case json, table }

    func run() async throws {
        var items: [JSONValue] = []
        if let data = target.data {
            let store = try DataDirectory.openStore(data, label: "doppel.query")
            var continuation: String?
            repeat {
                let page: QueryPage
                do {
                    page = try await store.query(text, in: tenant ?? TwinStore.defaultTenant, continuationToken: continuation)
                } catch let error as QueryError {
                    throw CommandError(error.description)
                }
                items += page.items
                continuation = page.continuationToken
            } while continuation != nil
        } else if let client = target.client(tenant: tenant) {
            items = try await client.query(text)
        }
        print(format == .json ? items.map(\.description).joined(separator: "\n") : TableRenderer.render(items))
    }
}
