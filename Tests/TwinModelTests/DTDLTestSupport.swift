import Foundation
import TwinModel

/// The shared model files (`../shared/data` next to the package); tests skip when they are absent.
enum DTDLTestData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    static var testCases: URL { root.appendingPathComponent("dtdl-parser-testcases/test-cases") }
    static var ontology: URL { root.appendingPathComponent("rec-dtdl/Ontology") }

    static var hasTestCases: Bool { FileManager.default.fileExists(atPath: testCases.path) }
    static var hasOntology: Bool { FileManager.default.fileExists(atPath: ontology.path) }

    /// Every regular file under `directory` with the extension, sorted by path.
    static func files(under directory: URL, extension ext: String = "json") -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == ext }.sorted { $0.path < $1.path }
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// Parses a test-case file (BOM included) with the project's JSON parser.
    static func json(_ url: URL) throws -> JSONValue {
        var bytes = try bytes(url)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return try JSONParser().parse(bytes)
    }
}

/// Shorthand for parsing in-memory documents.
func dtdlParse(_ documents: [String], mode: DTDLModelSet.Mode = .strict) throws(DTDLParseFailure) -> DTDLModelSet {
    try DTDLModelSet.parse(
        documents: documents.enumerated().map { (name: "doc\($0.offset).json", bytes: Array($0.element.utf8)) },
        mode: mode)
}
