import OrderedCollections

/// A graph in one of Azure Digital Twins' file formats, read into models and a `GraphImport`.
///
/// - The explorer format: `{"digitalTwinsFileInfo", "digitalTwinsGraph": {"digitalTwins", "relationships"},
///   "digitalTwinsModels"}`.
/// - The bulk-import NDJSON: `{"Section": "Header" | "Models" | "Twins" | "Relationships"}` lines, each
///   followed by its items, one per line; relationship lines name their source with `$dtId`.
public struct ADTGraphFile: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case explorerJSON = "adt-json"
        case bulkNDJSON = "adt-ndjson"
    }

    /// DTDL interfaces, as found.
    public var models: [JSONValue] = []
    public var graph = GraphImport()
    /// What the reader mapped with a loss or a guess (an untyped Brick entity, a renamed id), each
    /// starting with the file's name; the import goes on and reports them.
    public var warnings: [String] = []

    public init(models: [JSONValue] = [], graph: GraphImport = GraphImport(), warnings: [String] = []) {
        self.models = models
        self.graph = graph
        self.warnings = warnings
    }

    /// The format of a file, told from its first non-blank line; `nil` when it is neither.
    public static func detect(_ bytes: [UInt8]) -> Format? {
        let text = String(decoding: bytes.prefix(64 * 1024), as: UTF8.self)
        guard let firstLine = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let line = firstLine.drop(while: { $0 == "\u{FEFF}" || $0.isWhitespace })
        if line.hasPrefix("{"), line.contains("\"Section\"") { return .bulkNDJSON }
        if text.contains("\"digitalTwinsGraph\"") || text.contains("\"digitalTwinsFileInfo\"") { return .explorerJSON }
        return nil
    }

    /// Reads a file; errors name the file and the line (NDJSON) or JSON path (explorer).
    public static func read(_ bytes: [UInt8], format: Format, name: String) throws(TwinModelError) -> ADTGraphFile {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        switch format {
        case .explorerJSON: return try readExplorer(body, name: name)
        case .bulkNDJSON: return try readBulk(body, name: name)
        }
    }

    private static func readExplorer(_ bytes: [UInt8], name: String) throws(TwinModelError) -> ADTGraphFile {
        let document: JSONValue
        do {
            document = try JSONParser().parse(bytes)
        } catch {
            throw .invalidImport(location: "\(name):\(error.line):\(error.column)", reason: error.reason)
        }
        guard case .object(let root) = document else { throw .invalidImport(location: "\(name): $", reason: "must be a JSON object") }
        var file = ADTGraphFile()
        switch root["digitalTwinsModels"] {
        case .array(let models)?: file.models = models
        case nil, .null?: break
        case let other?: throw .invalidImport(location: "\(name): $.digitalTwinsModels", reason: "must be an array, found \(other.typeName)")
        }
        guard case .object(let graph)? = root["digitalTwinsGraph"] else {
            throw .invalidImport(location: "\(name): $.digitalTwinsGraph", reason: "missing or not an object")
        }
        for (index, twin) in (try array(graph["digitalTwins"], at: "\(name): $.digitalTwinsGraph.digitalTwins")).enumerated() {
            file.graph.twins.append(try Self.twin(twin, at: "\(name): $.digitalTwinsGraph.digitalTwins[\(index)]"))
        }
        for (index, relationship) in (try array(graph["relationships"], at: "\(name): $.digitalTwinsGraph.relationships")).enumerated() {
            let location = "\(name): $.digitalTwinsGraph.relationships[\(index)]"
            file.graph.relationships.append(try Self.relationship(relationship, sourceKey: "$sourceId", at: location))
        }
        return file
    }

    private static func readBulk(_ bytes: [UInt8], name: String) throws(TwinModelError) -> ADTGraphFile {
        var file = ADTGraphFile()
        var section: String?
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let location = "\(name):\(lineNumber)"
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let value: JSONValue
            do {
                value = try JSONParser().parse(line)
            } catch {
                throw .invalidImport(location: "\(location):\(error.column)", reason: error.reason)
            }
            if case .string(let next)? = value["Section"] {
                guard ["Header", "Models", "Twins", "Relationships"].contains(next) else {
                    throw .invalidImport(location: location, reason: "unknown section \"\(next)\"")
                }
                section = next
                continue
            }
            switch section {
            case "Header": continue
            case "Models": file.models.append(value)
            case "Twins": file.graph.twins.append(try twin(value, at: location))
            case "Relationships": file.graph.relationships.append(try relationship(value, sourceKey: "$dtId", at: location))
            default: throw .invalidImport(location: location, reason: "a line before any {\"Section\": …} line")
            }
        }
        return file
    }

    private static func array(_ value: JSONValue?, at location: String) throws(TwinModelError) -> [JSONValue] {
        switch value {
        case .array(let elements)?: return elements
        case nil, .null?: return []
        case let other?: throw .invalidImport(location: location, reason: "must be an array, found \(other.typeName)")
        }
    }

    private static func twin(_ value: JSONValue, at location: String) throws(TwinModelError) -> ImportedTwin {
        guard case .object(let object) = value else { throw .invalidImport(location: location, reason: "a twin must be an object") }
        guard let id = object["$dtId"]?.stringValue else { throw .invalidImport(location: location, reason: "a twin needs a string $dtId") }
        let model: String?
        switch object["$metadata"]?["$model"] {
        case .string(let dtmi)?: model = dtmi
        case nil, .null?: model = nil
        case let other?: throw .invalidImport(location: location, reason: "$metadata.$model must be a string, found \(other.typeName)")
        }
        var properties = JSONObject()
        for (key, member) in object where !key.hasPrefix("$") { properties[key] = member }
        return ImportedTwin(id: id, model: model, properties: properties)
    }

    private static func relationship(_ value: JSONValue, sourceKey: String, at location: String) throws(TwinModelError) -> ImportedRelationship {
        guard case .object(let object) = value else { throw .invalidImport(location: location, reason: "a relationship must be an object") }
        func member(_ key: String) throws(TwinModelError) -> String {
            guard let text = object[key]?.stringValue else { throw .invalidImport(location: location, reason: "a relationship needs a string \(key)") }
            return text
        }
        var properties = JSONObject()
        for (key, member) in object where !key.hasPrefix("$") { properties[key] = member }
        return ImportedRelationship(
            id: try member("$relationshipId"), source: try member(sourceKey), target: try member("$targetId"),
            name: try member("$relationshipName"), properties: properties)
    }
}
