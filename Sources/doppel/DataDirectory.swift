import Foundation
import Logging
import TwinModel

/// Opens the store of an existing data directory for the commands that read one (`query`, `bench`).
enum DataDirectory {
    static func openStore(_ directory: String, label: String) throws -> TwinStore {
        let path = (directory as NSString).appendingPathComponent("doppel.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandError("\(directory) is not a Doppel data directory (no doppel.sqlite in it)")
        }
        return try TwinStore(path: path, logger: Logger(label: label))
    }
}
