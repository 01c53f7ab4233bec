/// A gbXML building model read into a `GraphImport` of RealEstateCore twins.
///
/// Mapping (REC 3.3 DTMIs):
/// - `Campus` → `Campus;1`, `Building` → `Building;1`, `BuildingStorey` → `Level;1`, `Space` → `Room;1`,
///   `Zone` → `HVACZone;1`.
/// - Relationships, one direction each, as REC names them from the parent: campus `includes` building,
///   building `hasPart` level, level `hasPart` room (building `hasPart` room when a space names no storey),
///   zone `hasPart` room.
/// - Twin ids are `gbxml-<id>`, with `/`, `+`, `#`, white space and controls replaced by `_`; relationship
///   ids are `<name>-<target id>`.
/// - Lengths, areas and volumes are converted to metres, m² and m³ from the root's `lengthUnit`, `areaUnit`
///   and `volumeUnit` (gbXML's defaults: SI); the original values and units are kept under `gbXML`.
/// - Levels get `elevation` (m) and `levelNumber`: 0, 1, 2… in ascending elevation (storeys without a
///   `Level` after the others, in file order).
/// - Surfaces are not twins: each room gets `surfaceCount` and `openingCount` from the surfaces whose
///   `AdjacentSpaceId` names it (openings counted on those surfaces).
/// - Storey, zone and surface references are resolved after parsing; a dangling one is an error naming it.
public struct GbXMLFile: Sendable {
    public static let campusModel = "dtmi:digitaltwins:rec_3_3:core:Campus;1"
    public static let buildingModel = "dtmi:digitaltwins:rec_3_3:core:Building;1"
    public static let levelModel = "dtmi:digitaltwins:rec_3_3:core:Level;1"
    public static let roomModel = "dtmi:digitaltwins:rec_3_3:core:Room;1"
    public static let zoneModel = "dtmi:digitaltwins:rec_3_3:core:HVACZone;1"

    public var graph: GraphImport

    public init(graph: GraphImport = GraphImport()) {
        self.graph = graph
    }

    /// The twin id for a gbXML id.
    public static func twinID(for gbXMLID: String) -> String {
        "gbxml-" + String(String.UnicodeScalarView(gbXMLID.unicodeScalars.map { scalar in
            switch scalar {
            case "/", "+", "#": "_"
            case _ where scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace: "_"
            default: scalar
            }
        }))
    }

    /// Reads a gbXML file (UTF-8 or UTF-16); errors name the file and line.
    public static func read(_ bytes: [UInt8], name: String) throws(TwinModelError) -> GbXMLFile {
        let reader = GbXMLReader(name: name)
        try reader.parse(try utf8Bytes(bytes, name: name))
        let units = try GbXMLUnit.Declared(attributes: reader.rootAttributes ?? [:], location: "\(name):1")
        var builder = Builder(name: name, units: units)
        return GbXMLFile(graph: try builder.build(reader.nodes))
    }
}

extension GbXMLFile {
    private struct Builder {
        let name: String
        let units: GbXMLUnit.Declared
        var graph = GraphImport()
        /// gbXML id → (twin id, kind, line) for every element that becomes a twin.
        var twins: [String: (twinID: String, kind: GbXMLReader.Kind, line: Int)] = [:]

        init(name: String, units: GbXMLUnit.Declared) {
            self.name = name
            self.units = units
        }

        mutating func build(_ nodes: [GbXMLReader.Node]) throws(TwinModelError) -> GraphImport {
            var takenTwinIDs: [String: String] = [:]
            for node in nodes where node.kind != .surface {
                if let earlier = twins[node.id] {
                    throw .invalidImport(location: "\(name):\(node.line)", reason: "duplicate id \"\(node.id)\" (first at line \(earlier.line))")
                }
                let twinID = GbXMLFile.twinID(for: node.id)
                if let other = takenTwinIDs[twinID] {
                    throw .invalidImport(location: "\(name):\(node.line)", reason: "ids \"\(other)\" and \"\(node.id)\" both become twin id \"\(twinID)\"")
                }
                takenTwinIDs[twinID] = node.id
                twins[node.id] = (twinID, node.kind, node.line)
            }
            let surfaces = try surfaceCounts(nodes)
            let levelNumbers = Self.levelNumbers(nodes.filter { $0.kind == .storey }, lengthFactor: units.length.factor)
            for node in nodes {
                switch node.kind {
                case .campus: add(node, model: GbXMLFile.campusModel, properties: [:])
                case .building:
                    var properties = JSONObject()
                    if let type = node.attributes["buildingType"] { properties["buildingType"] = .string(type) }
                    try measure(node, "Area", unit: units.area, into: &properties)
                    add(node, model: GbXMLFile.buildingModel, properties: properties)
                    if let campus = node.parentID { relate(campus, "includes", node.id) }
                case .storey:
                    var properties = JSONObject()
                    try measure(node, "Level", unit: units.length, as: "elevation", into: &properties)
                    if let number = levelNumbers[node.id] { properties["levelNumber"] = .int(Int64(number)) }
                    add(node, model: GbXMLFile.levelModel, properties: properties)
                    if let building = node.parentID { relate(building, "hasPart", node.id) }
                case .space:
                    var properties = JSONObject()
                    try measure(node, "Area", unit: units.area, into: &properties)
                    try measure(node, "Volume", unit: units.volume, into: &properties)
                    if let condition = node.attributes["conditionType"] { properties["conditionType"] = .string(condition) }
                    let counts = surfaces[node.id] ?? (0, 0)
                    properties["surfaceCount"] = .int(Int64(counts.surfaces))
                    properties["openingCount"] = .int(Int64(counts.openings))
                    add(node, model: GbXMLFile.roomModel, properties: properties)
                    if let storey = node.attributes["buildingStoreyIdRef"] {
                        try resolve(storey, as: .storey, attribute: "buildingStoreyIdRef", at: node.line)
                        relate(storey, "hasPart", node.id)
                    } else if let building = node.parentID {
                        relate(building, "hasPart", node.id)
                    }
                    if let zone = node.attributes["zoneIdRef"] {
                        try resolve(zone, as: .zone, attribute: "zoneIdRef", at: node.line)
                        relate(zone, "hasPart", node.id)
                    }
                case .zone: add(node, model: GbXMLFile.zoneModel, properties: [:])
                case .surface: continue
                }
            }
            return graph
        }

        /// Surfaces and openings per space id; a surface names each space once however often it repeats it.
        private func surfaceCounts(_ nodes: [GbXMLReader.Node]) throws(TwinModelError) -> [String: (surfaces: Int, openings: Int)] {
            var counts: [String: (surfaces: Int, openings: Int)] = [:]
            for surface in nodes where surface.kind == .surface {
                var seen = Set<String>()
                for adjacent in surface.adjacentSpaces where seen.insert(adjacent.id).inserted {
                    try resolve(adjacent.id, as: .space, attribute: "spaceIdRef", at: adjacent.line)
                    counts[adjacent.id, default: (0, 0)].surfaces += 1
                    counts[adjacent.id, default: (0, 0)].openings += surface.openings
                }
            }
            return counts
        }

        private static func levelNumbers(_ storeys: [GbXMLReader.Node], lengthFactor: Double) -> [String: Int] {
            let ordered = storeys.enumerated().sorted { left, right in
                let (a, b) = (left.element.texts["Level"].flatMap(Double.init), right.element.texts["Level"].flatMap(Double.init))
                switch (a, b) {
                case let (a?, b?) where a != b: return a < b
                case (_?, nil): return true
                case (nil, _?): return false
                default: return left.offset < right.offset
                }
            }
            return Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($0.element.element.id, $0.offset) })
        }

        private func resolve(_ id: String, as kind: GbXMLReader.Kind, attribute: String, at line: Int) throws(TwinModelError) {
            guard let target = twins[id], target.kind == kind else {
                throw .invalidImport(location: "\(name):\(line)", reason: "\(attribute) \"\(id)\" names no \(kind.rawValue)")
            }
        }

        /// Puts `element`'s text converted to SI under `key` (default: the element's name, lowercased), and the
        /// original value and unit under `gbXML`.
        private func measure(
            _ node: GbXMLReader.Node, _ element: String, unit: (name: String, factor: Double), as key: String? = nil,
            into properties: inout JSONObject
        ) throws(TwinModelError) {
            guard let text = node.texts[element], !text.isEmpty else { return }
            guard let value = Double(text), value.isFinite else {
                throw .invalidImport(location: "\(name):\(node.line)", reason: "\(node.kind.rawValue) \"\(node.id)\": \(element) \"\(text)\" is not a number")
            }
            properties[key ?? element.lowercased()] = .double(value * unit.factor)
            var original = properties["gbXML"]?.objectValue ?? [:]
            original[element.lowercased()] = .double(value)
            original[element.lowercased() + "Unit"] = .string(unit.name)
            properties["gbXML"] = .object(original)
        }

        private mutating func add(_ node: GbXMLReader.Node, model: String, properties extra: JSONObject) {
            var properties = JSONObject()
            if let name = node.texts["Name"], !name.isEmpty { properties["name"] = .string(name) }
            for (key, value) in extra where key != "gbXML" { properties[key] = value }
            var original: JSONObject = ["id": .string(node.id)]
            for (key, value) in extra["gbXML"]?.objectValue ?? [:] { original[key] = value }
            properties["gbXML"] = .object(original)
            graph.twins.append(ImportedTwin(id: twins[node.id]!.twinID, model: model, properties: properties))
        }

        private mutating func relate(_ source: String, _ relationship: String, _ target: String) {
            guard let from = twins[source]?.twinID, let to = twins[target]?.twinID else { return }
            graph.relationships.append(ImportedRelationship(id: "\(relationship)-\(to)", source: from, target: to, name: relationship))
        }
    }
}
