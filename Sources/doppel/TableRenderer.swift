import Foundation
import TwinModel

/// Renders query results as an aligned text table: one column per top-level member.
enum TableRenderer {
    static func render(_ items: [JSONValue]) -> String {
        var columns: [String] = []
        for item in items {
            for key in item.objectValue?.keys ?? [] where !columns.contains(key) { columns.append(key) }
        }
        guard !columns.isEmpty else { return items.map(\.description).joined(separator: "\n") }
        let rows = items.map { item in columns.map { cell(item[$0]) } }
        let widths = columns.indices.map { column in
            ([columns[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        let separator = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(columns), separator] + rows.map(line) + ["(\(items.count) rows)"]).joined(separator: "\n")
    }

    private static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil: ""
        case .string(let text)?: text
        case let other?: other.description
        }
    }
}
