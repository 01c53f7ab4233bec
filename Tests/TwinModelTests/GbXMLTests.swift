import Foundation
import Testing
@testable import TwinModel

@Suite("gbXML import")
struct GbXMLTests {
    static let folder = DTDLTestData.root.appendingPathComponent("gbxml")
    static let house = folder.appendingPathComponent("single-family-residential-2016.xml")
    static let office = folder.appendingPathComponent("test-model-2016.xml")
    static var hasSamples: Bool { FileManager.default.fileExists(atPath: house.path) }

    static func text(_ url: URL) throws -> String { String(decoding: try DTDLTestData.bytes(url), as: UTF8.self) }

    /// Occurrences of `needle` in `text`, counted independently of the importer.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func models(_ graph: GraphImport) -> [String: Int] {
        graph.twins.reduce(into: [:]) { $0[$1.model ?? "-", default: 0] += 1 }
    }

    static func twin(_ graph: GraphImport, _ id: String) throws -> ImportedTwin {
        try #require(graph.twins.first { $0.id == id })
    }

    @Test(.enabled(if: hasSamples)) func singleFamilyHouseCounts() throws {
        let text = try Self.text(Self.house)
        let graph = try GbXMLFile.read(Array(text.utf8), name: "house.xml").graph
        let models = Self.models(graph)
        #expect(models[GbXMLFile.campusModel] == 1 && models[GbXMLFile.buildingModel] == 1)
        #expect(models[GbXMLFile.levelModel] == 2 && Self.count("<BuildingStorey ", in: text) == 2)
        #expect(models[GbXMLFile.roomModel] == 12 && Self.count("<Space ", in: text) == 12)
        #expect(models[GbXMLFile.zoneModel] == 12 && Self.count("<Zone ", in: text) == 12)
        let names = graph.relationships.reduce(into: [String: Int]()) { $0[$1.name, default: 0] += 1 }
        #expect(names == ["includes": 1, "hasPart": 2 + 12 + 12])
        // Some surfaces name the same space twice (281 references, 262 distinct surface-space pairs).
        let surfaces = graph.twins.compactMap { $0.properties["surfaceCount"]?.intValue }.reduce(0, +)
        let pairs = text.components(separatedBy: "<Surface ").dropFirst().map { surface in
            Set(surface.components(separatedBy: "</Surface>")[0].components(separatedBy: "<AdjacentSpaceId spaceIdRef=\"").dropFirst()
                .map { $0.prefix(while: { $0 != "\"" }) }).count
        }
        #expect(Self.count("<Surface ", in: text) == 237 && surfaces == pairs.reduce(0, +) && surfaces == 262)
        #expect(graph.twins.compactMap { $0.properties["openingCount"]?.intValue }.reduce(0, +) > 0)
        let storey = try Self.twin(graph, "gbxml-aim0013-Storey-1")
        #expect(storey.properties["elevation"] == .double(2.955) && storey.properties["levelNumber"] == .int(1))
        #expect(storey.properties["name"] == "Storey-1-Name")
        let room = try Self.twin(graph, "gbxml-aim0014")
        #expect(room.properties["area"] == .double(111.7379) && room.properties["volume"] == .double(379.2353))
    }

    @Test(.enabled(if: hasSamples)) func testModelConvertsFeetToSI() throws {
        let text = try Self.text(Self.office)
        let graph = try GbXMLFile.read(Array(text.utf8), name: "office.xml").graph
        let models = Self.models(graph)
        #expect(models[GbXMLFile.levelModel] == 1 && models[GbXMLFile.roomModel] == 1)
        #expect(models[GbXMLFile.zoneModel] == Self.count("<Zone ", in: text))
        // By hand from the file: <Area>5893.77796</Area>, <Volume>78558.72002</Volume>, in SquareFeet and CubicFeet.
        let room = try Self.twin(graph, "gbxml-aim0078")
        let area = try #require(room.properties["area"]?.doubleValue)
        #expect(abs(area - 547.54989) < 0.0001)  // 5893.77796 × 0.09290304
        let volume = try #require(room.properties["volume"]?.doubleValue)
        #expect(abs(volume - 78558.72002 * 0.3048 * 0.3048 * 0.3048) < 1e-6)
        #expect(room.properties["gbXML"]?["area"] == .double(5893.77796))
        #expect(room.properties["gbXML"]?["areaUnit"] == "SquareFeet")
        #expect(room.properties["gbXML"]?["id"] == "aim0078")
    }

    @Test(.enabled(if: hasSamples)) func utf16GivesTheSameGraph() throws {
        let text = try Self.text(Self.office)
        let utf8 = try GbXMLFile.read(Array(text.utf8), name: "office.xml").graph
        let declared = text.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let units = Array(declared.utf16)
        let little: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [little, big, Array(little.dropFirst(2))] {
            let graph = try GbXMLFile.read(bytes, name: "office-utf16.xml").graph
            #expect(graph.twins == utf8.twins)
            #expect(graph.relationships == utf8.relationships)
            #expect(ModelFileFormat.detect(bytes) == .gbXML)
        }
    }

    @Test func billionLaughsIsRefused() throws {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE gbXML [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <gbXML xmlns="http://www.gbxml.org/schema"><Campus id="c"><Name>&lol3;</Name></Campus></gbXML>
            """
        let error = #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array(document.utf8), name: "laughs.xml") }
        #expect(error?.description.hasPrefix("laughs.xml:2: a DOCTYPE declaration") == true)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array(document.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(throws: TwinModelError.self) { try GbXMLFile.read(utf16, name: "laughs16.xml") }
    }

    @Test func externalEntityIsRefused() throws {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE gbXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <gbXML><Campus id="c"><Name>&xxe;</Name></Campus></gbXML>
            """
        let error = #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array(document.utf8), name: "xxe.xml") }
        #expect(error?.description.contains("entities are never expanded or fetched") == true)
    }

    @Test func noStoreysNoVersionInchesAndOddIDs() throws {
        let document = """
            <gbXML xmlns="http://www.gbxml.org/schema" lengthUnit="Inches" areaUnit="SquareInches" volumeUnit="CubicInches">
              <Campus id="c"><Building id="b/1" buildingType="Office"><Space id="s 1#x"><Area>144</Area><Volume>1728</Volume></Space></Building>
              <Surface id="w"><AdjacentSpaceId spaceIdRef="s 1#x"/><AdjacentSpaceId spaceIdRef="s 1#x"/><Opening id="o"/><Opening id="o2"/></Surface>
              </Campus>
            </gbXML>
            """
        let graph = try GbXMLFile.read(Array(document.utf8), name: "bare.xml").graph
        #expect(graph.twins.map(\.id) == ["gbxml-c", "gbxml-b_1", "gbxml-s_1_x"])
        let room = try Self.twin(graph, "gbxml-s_1_x")
        #expect(abs((room.properties["area"]?.doubleValue ?? 0) - 0.09290304) < 1e-12)
        #expect(abs((room.properties["volume"]?.doubleValue ?? 0) - 0.028316846592) < 1e-12)
        #expect(room.properties["surfaceCount"] == .int(1) && room.properties["openingCount"] == .int(2))
        #expect(graph.relationships.map { "\($0.source) \($0.name) \($0.target)" } == ["gbxml-c includes gbxml-b_1", "gbxml-b_1 hasPart gbxml-s_1_x"])
    }

    @Test func levelNumbersFollowElevation() throws {
        let document = """
            <gbXML xmlns="http://www.gbxml.org/schema"><Campus id="c"><Building id="b">
              <BuildingStorey id="top"><Level>3</Level></BuildingStorey>
              <BuildingStorey id="basement"><Level>-3</Level></BuildingStorey>
              <BuildingStorey id="ground"><Level>0</Level></BuildingStorey>
            </Building></Campus></gbXML>
            """
        let graph = try GbXMLFile.read(Array(document.utf8), name: "levels.xml").graph
        let numbers = graph.twins.filter { $0.model == GbXMLFile.levelModel }.map { "\($0.id)=\($0.properties["levelNumber"]?.intValue ?? -1)" }
        #expect(numbers == ["gbxml-top=2", "gbxml-basement=0", "gbxml-ground=1"])
    }

    @Test func errorsNameTheFileLineAndReference() throws {
        let dangling = """
            <gbXML xmlns="http://www.gbxml.org/schema"><Campus id="c"><Building id="b">
              <Space id="s" zoneIdRef="nowhere"/>
            </Building></Campus></gbXML>
            """
        let error = #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array(dangling.utf8), name: "d.xml") }
        #expect(error?.description == "d.xml:2: zoneIdRef \"nowhere\" names no Zone")
        let units = #"<gbXML lengthUnit="Cubits"/>"#
        let unitError = #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array(units.utf8), name: "u.xml") }
        #expect(unitError?.description.contains("unknown lengthUnit \"Cubits\"") == true)
        #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array("<gbXML><Campus id=\"c\">".utf8), name: "m.xml") }
        #expect(throws: TwinModelError.self) { try GbXMLFile.read(Array("<other/>".utf8), name: "o.xml") }
    }

    @Test(.enabled(if: hasSamples)) func storeyQueryReturnsItsRooms() async throws {
        let text = try Self.text(Self.house)
        let graph = try GbXMLFile.read(Array(text.utf8), name: "house.xml").graph
        let (store, _) = try StoreFixture.memory()
        _ = try await store.importGraph(graph, in: StoreFixture.tenant, changedBy: "test")
        let page = try await store.query(
            "SELECT R FROM DIGITALTWINS MATCH (L)-[:hasPart]->(R) WHERE L.$dtId = 'gbxml-aim0013-Storey-1'", in: StoreFixture.tenant)
        let ids = Set(page.items.compactMap { ($0["R"] ?? $0)["$dtId"]?.stringValue })
        let expected = Set(
            text.components(separatedBy: "<Space ").dropFirst()
                .filter { $0.prefix(while: { $0 != ">" }).contains("buildingStoreyIdRef=\"aim0013-Storey-1\"") }
                .compactMap { $0.components(separatedBy: " id=\"").dropFirst().first?.prefix(while: { $0 != "\"" }) }
                .map { "gbxml-\($0)" })
        #expect(!expected.isEmpty && ids == expected)
    }

    @Test(.enabled(if: hasSamples)) func formatsAreDetected() throws {
        #expect(ModelFileFormat.detect(try DTDLTestData.bytes(Self.house)) == .gbXML)
        let brick = DTDLTestData.root.appendingPathComponent("brick/g36-combined-ahu-vav.ttl")
        #expect(ModelFileFormat.detect(try DTDLTestData.bytes(brick)) == .brickTurtle)
        #expect(ModelFileFormat.detect(Array("x".utf8), fileName: "a.ttl") == .brickTurtle)
        #expect(ModelFileFormat.detect(Array("x".utf8), fileName: "a.bin") == nil)
        let file = try ModelFileFormat.read(try DTDLTestData.bytes(Self.office), format: .gbXML, name: "office.xml")
        #expect(file.models.isEmpty && file.graph.twins.count > 0)
    }
}
