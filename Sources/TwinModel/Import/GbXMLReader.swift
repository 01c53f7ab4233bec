import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The elements of a gbXML file that become twins, collected in one streaming pass of `XMLParser`.
///
/// Only the structure the importer maps is kept: `Campus`, `Building`, `BuildingStorey`, `Space`, `Zone`
/// and `Surface` (with its `AdjacentSpaceId` references and `Opening` count), each at its place in the
/// schema (`gbXML > Campus > Building > BuildingStorey | Space`, `gbXML > Zone`, `gbXML > Campus > Surface`).
/// Namespace prefixes are ignored. DTD, entity and notation declarations abort the parse.
final class GbXMLReader: NSObject, XMLParserDelegate {
    enum Kind: String {
        case campus = "Campus", building = "Building", storey = "BuildingStorey", space = "Space", zone = "Zone", surface = "Surface"

        /// The element a kind must sit directly inside.
        var parent: String {
            switch self {
            case .campus, .zone: "gbXML"
            case .building, .surface: "Campus"
            case .storey, .space: "Building"
            }
        }

        /// Child elements whose text is kept.
        var textChildren: Set<String> {
            switch self {
            case .campus, .zone: ["Name"]
            case .building: ["Name", "Area", "StreetAddress"]
            case .storey: ["Name", "Level"]
            case .space: ["Name", "Area", "Volume"]
            case .surface: ["Name"]
            }
        }
    }

    struct Node {
        var kind: Kind
        var id: String
        var line: Int
        var attributes: [String: String]
        /// The gbXML id of the enclosing Campus or Building.
        var parentID: String?
        var texts: [String: String] = [:]
        /// `AdjacentSpaceId@spaceIdRef` values of a surface, with their lines.
        var adjacentSpaces: [(id: String, line: Int)] = []
        var openings = 0
    }

    let name: String
    private(set) var rootAttributes: [String: String]?
    private(set) var nodes: [Node] = []
    private(set) var failure: TwinModelError?
    /// Local names of the open elements, and the node each opened, if any.
    private var stack: [(name: String, node: Int?)] = []
    private var capture: (node: Int, key: String, text: String)?

    init(name: String) {
        self.name = name
    }

    /// Parses UTF-8 bytes that `GbXMLFile.utf8Bytes` has prepared.
    func parse(_ bytes: [UInt8]) throws(TwinModelError) {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = self
        let succeeded = parser.parse()
        if let failure { throw failure }
        guard succeeded else {
            let reason = parser.parserError.map { "malformed XML: \($0.localizedDescription)" } ?? "malformed XML"
            throw .invalidImport(location: "\(name):\(parser.lineNumber):\(parser.columnNumber)", reason: reason)
        }
        guard rootAttributes != nil else { throw .invalidImport(location: name, reason: "no gbXML root element") }
    }

    private func fail(_ parser: XMLParser, _ reason: String) {
        if failure == nil { failure = .invalidImport(location: "\(name):\(parser.lineNumber)", reason: reason) }
        parser.abortParsing()
    }

    private static func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let local = Self.localName(elementName)
        guard let parent = stack.last else {
            guard local == "gbXML" else { return fail(parser, "the root element is <\(elementName)>, not <gbXML>") }
            rootAttributes = attributes
            stack.append((local, nil))
            return
        }
        var opened: Int?
        if let kind = Kind(rawValue: local), kind.parent == parent.name {
            guard let id = attributes["id"], !id.isEmpty else { return fail(parser, "<\(local)> without an id") }
            let enclosing = stack.last(where: { $0.node != nil }).flatMap { $0.node }.map { nodes[$0].id }
            nodes.append(Node(kind: kind, id: id, line: parser.lineNumber, attributes: attributes, parentID: enclosing))
            opened = nodes.count - 1
        } else if let index = parent.node {
            let kind = nodes[index].kind
            if kind.textChildren.contains(local) {
                capture = (index, local, "")
            } else if kind == .surface, local == "AdjacentSpaceId" {
                guard let reference = attributes["spaceIdRef"] else { return fail(parser, "<AdjacentSpaceId> without a spaceIdRef") }
                nodes[index].adjacentSpaces.append((reference, parser.lineNumber))
            } else if kind == .surface, local == "Opening" {
                nodes[index].openings += 1
            }
        }
        stack.append((local, opened))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if let capture, stack.last?.name == capture.key {
            nodes[capture.node].texts[capture.key] = capture.text.trimmingCharacters(in: .whitespacesAndNewlines)
            self.capture = nil
        }
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        capture?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        capture?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if failure == nil {
            failure = .invalidImport(
                location: "\(name):\(parser.lineNumber):\(parser.columnNumber)", reason: "malformed XML: \(parseError.localizedDescription)")
        }
    }

    // Declarations: gbXML needs none, so any is refused rather than expanded or fetched.

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        fail(parser, "entity declaration \"\(name)\" refused")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        fail(parser, "external entity declaration \"\(name)\" refused")
    }

    func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?, notationName: String?) {
        fail(parser, "unparsed entity declaration \"\(name)\" refused")
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        fail(parser, "element declaration \"\(elementName)\" refused")
    }

    func parser(_ parser: XMLParser, foundNotationDeclarationWithName name: String, publicID: String?, systemID: String?) {
        fail(parser, "notation declaration \"\(name)\" refused")
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        fail(parser, "external entity \"\(name)\" refused")
        return nil
    }
}
