import OrderedCollections

/// Generates a RealEstateCore-style building portfolio, deterministic from a seed: sites (campuses) include
/// buildings; buildings have levels, levels have rooms, rooms are the location of sensors; per level an
/// air-handling unit feeds one VAV box per room, which feeds the room; per building a chain of electricity
/// meters (main meter feeding sub-meters) gives deep traversals.
public struct PortfolioGenerator: Sendable {
    /// How many of each thing.
    public struct Shape: Sendable, Hashable, Codable {
        public var sites: Int
        public var buildingsPerSite: Int
        public var levelsPerBuilding = 10
        public var roomsPerLevel = 20
        public var sensorsPerRoom = 4
        /// Length of each building's meter chain; 10 gives 10-hop traversals.
        public var meterChainLength = 10

        public init(sites: Int, buildingsPerSite: Int) {
            self.sites = sites
            self.buildingsPerSite = buildingsPerSite
        }

        /// Twins in one building with everything in it.
        public var twinsPerBuilding: Int {
            let rooms = levelsPerBuilding * roomsPerLevel
            return 1 + levelsPerBuilding + rooms + rooms * sensorsPerRoom + levelsPerBuilding + rooms + meterChainLength
        }

        public var twinCount: Int { sites + sites * buildingsPerSite * twinsPerBuilding }

        /// The shape closest to `twins` twins over `sites` sites.
        public static func approximately(twins: Int, sites: Int) -> Shape {
            var shape = Shape(sites: max(1, sites), buildingsPerSite: 1)
            let buildings = max(1, (twins - shape.sites) / shape.twinsPerBuilding)
            shape.buildingsPerSite = max(1, (buildings + shape.sites - 1) / shape.sites)
            return shape
        }
    }

    public static let campusModel = "dtmi:digitaltwins:rec_3_3:core:Campus;1"
    public static let buildingModel = "dtmi:digitaltwins:rec_3_3:core:Building;1"
    public static let levelModel = "dtmi:digitaltwins:rec_3_3:core:Level;1"
    public static let roomModel = "dtmi:digitaltwins:rec_3_3:core:Room;1"
    public static let airHandlingUnitModel = "dtmi:digitaltwins:rec_3_3:asset:AirHandlingUnit;1"
    public static let vavBoxModel = "dtmi:digitaltwins:rec_3_3:asset:VAVBox;1"
    public static let meterModel = "dtmi:digitaltwins:rec_3_3:asset:ElectricityMeter;1"
    /// Sensor models, assigned round-robin within a room.
    public static let sensorModels = [
        "dtmi:digitaltwins:rec_3_3:device:TemperatureSensor;1",
        "dtmi:digitaltwins:rec_3_3:device:HumiditySensor;1",
        "dtmi:digitaltwins:rec_3_3:device:OccupancySensor;1",
    ]

    public var shape: Shape
    public var seed: UInt64

    public init(shape: Shape, seed: UInt64) {
        self.shape = shape
        self.seed = seed
    }

    /// The whole portfolio.
    public func generate() -> GraphImport {
        var graph = GraphImport()
        graph.twins.reserveCapacity(shape.twinCount)
        for site in 0..<shape.sites { generate(site: site, into: &graph) }
        return graph
    }

    /// One site with its buildings; each site's content depends only on the seed and its number.
    public func generate(site: Int, into graph: inout GraphImport) {
        var random = SeededRandom(seed: seed &+ UInt64(site) &* 1_000_003)
        let siteID = "s\(site)"
        graph.twins.append(ImportedTwin(id: siteID, model: Self.campusModel, properties: ["name": .string("Site \(site)")]))
        for building in 0..<shape.buildingsPerSite {
            let buildingID = "\(siteID)-b\(building)"
            graph.twins.append(
                ImportedTwin(
                    id: buildingID, model: Self.buildingModel,
                    properties: ["name": .string("Building \(site).\(building)"), "yearBuilt": .int(Int64.random(in: 1950...2024, using: &random))]))
            graph.relationships.append(edge(siteID, "includes", buildingID))
            for level in 0..<shape.levelsPerBuilding {
                generate(level: level, of: buildingID, random: &random, into: &graph)
            }
            generateMeters(of: buildingID, into: &graph)
        }
    }

    private func generate(level: Int, of buildingID: String, random: inout SeededRandom, into graph: inout GraphImport) {
        let levelID = "\(buildingID)-l\(level)"
        graph.twins.append(
            ImportedTwin(id: levelID, model: Self.levelModel, properties: ["name": .string("Level \(level)"), "levelNumber": .int(Int64(level))]))
        graph.relationships.append(edge(buildingID, "hasPart", levelID))
        let ahuID = "\(levelID)-ahu"
        graph.twins.append(ImportedTwin(id: ahuID, model: Self.airHandlingUnitModel, properties: ["name": .string("AHU \(level)")]))
        graph.relationships.append(edge(levelID, "isLocationOf", ahuID))
        for room in 0..<shape.roomsPerLevel {
            let roomID = "\(levelID)-r\(room)"
            graph.twins.append(
                ImportedTwin(
                    id: roomID, model: Self.roomModel,
                    properties: [
                        "name": .string("Room \(level).\(room)"),
                        "area": .double((Double.random(in: 10...80, using: &random) * 10).rounded() / 10),
                        "capacity": .int(Int64.random(in: 1...40, using: &random)),
                    ]))
            graph.relationships.append(edge(levelID, "hasPart", roomID))
            let vavID = "\(roomID)-vav"
            graph.twins.append(ImportedTwin(id: vavID, model: Self.vavBoxModel, properties: ["name": .string("VAV \(level).\(room)")]))
            graph.relationships.append(edge(ahuID, "feeds", vavID))
            graph.relationships.append(edge(vavID, "feeds", roomID))
            for sensor in 0..<shape.sensorsPerRoom {
                let model = Self.sensorModels[sensor % Self.sensorModels.count]
                let sensorID = "\(roomID)-x\(sensor)"
                graph.twins.append(
                    ImportedTwin(
                        id: sensorID, model: model,
                        properties: ["name": .string("Sensor \(sensor)"), "serial": .string(String(random.next() % 1_000_000_000, radix: 36))],
                        reported: reading(for: model, random: &random)))
                graph.relationships.append(edge(roomID, "isLocationOf", sensorID))
            }
        }
    }

    private func generateMeters(of buildingID: String, into graph: inout GraphImport) {
        var previous = buildingID
        for index in 0..<shape.meterChainLength {
            let meterID = "\(buildingID)-m\(index)"
            graph.twins.append(ImportedTwin(id: meterID, model: Self.meterModel, properties: ["name": .string("Meter \(index)")]))
            graph.relationships.append(edge(previous, index == 0 ? "isLocationOf" : "feeds", meterID))
            previous = meterID
        }
    }

    private func reading(for model: String, random: inout SeededRandom) -> JSONObject {
        switch model {
        case Self.sensorModels[0]: ["temperature": .double((Double.random(in: 16...36, using: &random) * 10).rounded() / 10)]
        case Self.sensorModels[1]: ["humidity": .double((Double.random(in: 20...80, using: &random) * 10).rounded() / 10)]
        default: ["occupied": .bool(Bool.random(using: &random))]
        }
    }

    private func edge(_ source: String, _ name: String, _ target: String) -> ImportedRelationship {
        ImportedRelationship(id: "\(name)-\(target)", source: source, target: target, name: name)
    }
}
