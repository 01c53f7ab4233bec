import Foundation

/// The building-model file formats `doppel import` and `POST /v1/imports` read, each into an `ADTGraphFile`
/// (gbXML and Brick files carry no models).
public enum ModelFileFormat: String, Sendable, CaseIterable {
    case adtJSON = "adt-json"
    case adtNDJSON = "adt-ndjson"
    case gbXML = "gbxml"
    case brickTurtle = "brick"

    /// The format of a file, told from its content, then its name's extension; `nil` when unknown.
    public static func detect(_ bytes: [UInt8], fileName: String? = nil) -> ModelFileFormat? {
        if let adt = ADTGraphFile.detect(bytes) { return adt == .explorerJSON ? .adtJSON : .adtNDJSON }
        let head = text(of: bytes.prefix(64 * 1024))
        if head.contains("<gbXML") || head.contains(":gbXML") || head.contains("http://www.gbxml.org/schema") { return .gbXML }
        if head.contains("brickschema.org/schema/Brick") || head.contains("w3id.org/rec") { return .brickTurtle }
        switch fileName.map({ ($0 as NSString).pathExtension.lowercased() }) {
        case "xml"?, "gbxml"?: return .gbXML
        case "ttl"?, "turtle"?: return .brickTurtle
        default: return nil
        }
    }

    /// Reads a file; errors name `name` and the line (and column where the format has one).
    public static func read(_ bytes: [UInt8], format: ModelFileFormat, name: String) throws(TwinModelError) -> ADTGraphFile {
        switch format {
        case .adtJSON: try ADTGraphFile.read(bytes, format: .explorerJSON, name: name)
        case .adtNDJSON: try ADTGraphFile.read(bytes, format: .bulkNDJSON, name: name)
        case .gbXML: ADTGraphFile(graph: try GbXMLFile.read(bytes, name: name).graph)
        case .brickTurtle:
            try { () throws(TwinModelError) -> ADTGraphFile in
                let brick = try BrickFile.read(bytes, name: name)
                return ADTGraphFile(graph: brick.graph, warnings: brick.warnings.map { "\(name): \($0)" })
            }()
        }
    }

    /// The start of a file as text, whether UTF-8 or UTF-16.
    private static func text(of bytes: ArraySlice<UInt8>) -> String {
        let bytes = Array(bytes)
        guard let bigEndian = GbXMLFile.utf16ByteOrder(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        var units: [UInt16] = []
        var index = 0
        while index + 1 < bytes.count {
            units.append(bigEndian ? UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]) : UInt16(bytes[index + 1]) << 8 | UInt16(bytes[index]))
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
