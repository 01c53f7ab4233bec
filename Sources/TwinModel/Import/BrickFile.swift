/// A Brick (or RealEstateCore RDF) building model in Turtle, read into a `GraphImport`.
///
/// Mapping:
/// - Every IRI or blank node that is the subject of a statement (other than collection cells and the
///   `owl:Ontology` header) or the object of a relationship becomes a twin. Its id is the IRI's local name
///   (after the last `#` or `/`; blank nodes `blank-<label>`) with `/`, `+`, `#`, white space and controls
///   replaced by `_`; a clash gets `-2`, `-3`… in order of appearance, with a warning.
/// - Model: a `rec:` class in `recModels` gives its REC 3.3 DTMI (e.g. `rec:Level` →
///   `dtmi:digitaltwins:rec_3_3:core:Level;1`); otherwise a `brick:X` class gives `dtmi:digitaltwins:brick:X;1`
///   (the first in IRI order when there are several). An entity with neither keeps no model and adds a warning.
/// - `rdfs:label` becomes `name`; the IRI is kept as `iri` and the classes as `rdfTypes`. Other literals are
///   not imported.
/// - Relationships (Brick or REC namespace), one direction each: `hasPart` (from `isPartOf`), `hasPoint`
///   (from `isPointOf`), `feeds` (from `isFedBy`), `isLocationOf` (from `hasLocation` and REC's
///   `locatedIn`); duplicates collapse. Relationship ids are `<name>-<target id>`.
/// - `owl:imports` is ignored: nothing is ever fetched.
public struct BrickFile: Sendable {
    public static let brickNamespaces = ["https://brickschema.org/schema/Brick#", "http://brickschema.org/schema/Brick#"]
    public static let recNamespaces = ["https://w3id.org/rec#", "https://w3id.org/rec/core/", "https://w3id.org/rec/"]

    /// REC classes and their REC 3.3 DTDL interfaces.
    public static let recModels: [String: String] = [
        "Building": "dtmi:digitaltwins:rec_3_3:core:Building;1", "Level": "dtmi:digitaltwins:rec_3_3:core:Level;1",
        "Room": "dtmi:digitaltwins:rec_3_3:core:Room;1", "Space": "dtmi:digitaltwins:rec_3_3:core:Space;1",
        "Zone": "dtmi:digitaltwins:rec_3_3:core:Zone;1", "HVACZone": "dtmi:digitaltwins:rec_3_3:core:HVACZone;1",
        "OccupancyZone": "dtmi:digitaltwins:rec_3_3:core:OccupancyZone;1", "Workspace": "dtmi:digitaltwins:rec_3_3:core:Workspace;1",
        "Campus": "dtmi:digitaltwins:rec_3_3:core:Campus;1", "Land": "dtmi:digitaltwins:rec_3_3:core:Land;1",
        "Region": "dtmi:digitaltwins:rec_3_3:core:Region;1", "SubBuilding": "dtmi:digitaltwins:rec_3_3:core:SubBuilding;1",
        "Apartment": "dtmi:digitaltwins:rec_3_3:core:Apartment;1", "RealEstate": "dtmi:digitaltwins:rec_3_3:core:RealEstate;1",
        "TenantUnit": "dtmi:digitaltwins:rec_3_3:core:TenantUnit;1",
    ]

    /// Relationship local names → (normalised name, whether the edge turns around).
    public static let relationships: [String: (name: String, reversed: Bool)] = [
        "hasPart": ("hasPart", false), "isPartOf": ("hasPart", true),
        "hasPoint": ("hasPoint", false), "isPointOf": ("hasPoint", true),
        "feeds": ("feeds", false), "isFedBy": ("feeds", true),
        "isLocationOf": ("isLocationOf", false), "hasLocation": ("isLocationOf", true), "locatedIn": ("isLocationOf", true),
    ]

    public var graph: GraphImport
    /// Untyped entities, unmapped classes, id clashes and skipped statements, one line each.
    public var warnings: [String]

    public init(graph: GraphImport = GraphImport(), warnings: [String] = []) {
        self.graph = graph
        self.warnings = warnings
    }

    /// Parses and maps a Turtle file; syntax errors name the file, line and column.
    public static func read(_ bytes: [UInt8], name: String) throws(TwinModelError) -> BrickFile {
        let triples: [RDFTriple]
        do {
            triples = try TurtleParser().parse(bytes)
        } catch {
            throw .invalidImport(location: "\(name):\(error.line):\(error.column)", reason: error.reason)
        }
        return map(triples)
    }

    /// The twins and relationships that `triples` describe.
    public static func map(_ triples: [RDFTriple]) -> BrickFile {
        var mapper = BrickMapper()
        return mapper.map(triples)
    }

    /// `(namespace kind, local name)` of a Brick or REC IRI.
    static func vocabularyTerm(_ iri: String) -> (rec: Bool, local: String)? {
        for namespace in brickNamespaces where iri.hasPrefix(namespace) { return (false, String(iri.dropFirst(namespace.count))) }
        for namespace in recNamespaces where iri.hasPrefix(namespace) {
            let local = iri.dropFirst(namespace.count)
            if !local.contains("/") { return (true, String(local)) }
        }
        return nil
    }

    /// A DTMI segment: a letter, then letters, digits and underscores, not ending in an underscore.
    static func isDTMISegment(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter, text.unicodeScalars.last != "_" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
