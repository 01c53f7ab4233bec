import Foundation
import Testing
@testable import TwinModel

@Suite("Brick import")
struct BrickTests {
    static let folder = DTDLTestData.root.appendingPathComponent("brick")
    static let samples = ["g36-combined-ahu-vav.ttl", "rec-with-brick-building.ttl"]
    static var hasSamples: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(samples[0]).path) }
    static let inverses: [String: (name: String, reversed: Bool)] = [
        "hasPart": ("hasPart", false), "isPartOf": ("hasPart", true), "hasPoint": ("hasPoint", false), "isPointOf": ("hasPoint", true),
        "feeds": ("feeds", false), "isFedBy": ("feeds", true), "isLocationOf": ("isLocationOf", false), "hasLocation": ("isLocationOf", true),
    ]

    /// A deliberately naive reading of the samples' simple shape (`ex:s a cls ; pred ex:o, ex:o .`), to check
    /// the importer's counts against: entity names, typed names, and normalised edges.
    static func independentCounts(_ text: String) -> (entities: Set<String>, typed: Set<String>, edges: Set<String>) {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("@prefix") && !$0.hasPrefix("<") && !$0.contains("owl:imports") }
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0] }.joined(separator: " ")
        var entities = Set<String>(), typed = Set<String>(), edges = Set<String>()
        for statement in body.components(separatedBy: " .") {
            let groups = statement.split(separator: ";").map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
            guard let subject = groups.first?.first else { continue }
            entities.insert(subject)
            for (index, group) in groups.enumerated() {
                let words = index == 0 ? Array(group.dropFirst()) : group
                guard let predicate = words.first else { continue }
                if predicate == "a" {
                    typed.insert(subject)
                    continue
                }
                let local = String(predicate.split(separator: ":").last!)
                guard let relation = inverses[local] else { continue }
                for object in words.dropFirst() {
                    entities.insert(object)
                    let (source, target) = relation.reversed ? (object, subject) : (subject, object)
                    edges.insert("\(source.dropFirst(3)) \(relation.name) \(target.dropFirst(3))")
                }
            }
        }
        return (entities, typed, edges)
    }

    @Test(.enabled(if: hasSamples), arguments: samples)
    func samplesImportWithIndependentCounts(_ sample: String) async throws {
        let bytes = try DTDLTestData.bytes(Self.folder.appendingPathComponent(sample))
        let file = try BrickFile.read(bytes, name: sample)
        let expected = Self.independentCounts(String(decoding: bytes, as: UTF8.self))
        #expect(file.graph.twins.count == expected.entities.count)
        #expect(Set(file.graph.twins.map(\.id)) == Set(expected.entities.map { String($0.dropFirst(3)) }))
        #expect(file.graph.twins.filter { $0.model != nil }.count == expected.typed.count)
        #expect(file.warnings.count == expected.entities.count - expected.typed.count)
        #expect(Set(file.graph.relationships.map { "\($0.source) \($0.name) \($0.target)" }) == expected.edges)
        #expect(file.graph.relationships.count == expected.edges.count)
        #expect(!file.graph.twins.contains { $0.properties["iri"]?.stringValue?.hasSuffix("example.org") == true })
        let (store, _) = try StoreFixture.memory()
        let summary = try await store.importGraph(file.graph, in: StoreFixture.tenant, changedBy: "test")
        #expect(summary.twinsCreated == expected.entities.count && summary.relationshipsCreated == expected.edges.count)
    }

    @Test(.enabled(if: hasSamples)) func recSampleModels() throws {
        let bytes = try DTDLTestData.bytes(Self.folder.appendingPathComponent("rec-with-brick-building.ttl"))
        let file = try BrickFile.read(bytes, name: "rec.ttl")
        let model = Dictionary(uniqueKeysWithValues: file.graph.twins.map { ($0.id, $0.model) })
        #expect(model["Building1"] == "dtmi:digitaltwins:rec_3_3:core:Building;1")
        #expect(model["Floor1"] == "dtmi:digitaltwins:rec_3_3:core:Level;1")
        #expect(model["Room1"] == "dtmi:digitaltwins:rec_3_3:core:Space;1")
        #expect(model["MainAHU"] == "dtmi:digitaltwins:brick:Air_Handler_Unit;1")
        #expect(file.graph.twins.count == 14 && file.graph.relationships.count == 14 && file.warnings.isEmpty)
    }

    @Test func inversePairsCollapseToOneEdge() throws {
        let file = try BrickFile.read(
            Array(
                """
                @prefix brick: <https://brickschema.org/schema/Brick#> .
                @prefix rec: <https://w3id.org/rec#> .
                @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
                @prefix owl: <http://www.w3.org/2002/07/owl#> .
                @prefix ex: <http://example.org/> .
                <http://example.org/> a owl:Ontology ; owl:imports <https://brickschema.org/schema/1.4/Brick> .
                ex:a a brick:AHU, rec:Building ; rdfs:label "Main", "Haupt"@de ; brick:hasPart ex:b ; brick:hasPoint ex:p .
                ex:b a brick:Damper ; brick:isPartOf ex:a ; rec:isPartOf ex:a .
                ex:p a rec:Sensorish ; brick:isPointOf ex:a .
                ex:r rec:locatedIn ex:room . ex:room brick:isLocationOf ex:r . ex:x brick:hasLocation ex:room .
                ex:f brick:isFedBy ex:g . ex:g brick:feeds ex:f, ex:f .
                """.utf8), name: "inline.ttl")
        #expect(file.graph.relationships.map { "\($0.source) \($0.name) \($0.target) \($0.id)" } == [
            "a hasPart b hasPart-b", "a hasPoint p hasPoint-p", "room isLocationOf r isLocationOf-r", "room isLocationOf x isLocationOf-x",
            "g feeds f feeds-f",
        ])
        let twins = Dictionary(uniqueKeysWithValues: file.graph.twins.map { ($0.id, $0) })
        #expect(twins.count == 8)
        #expect(twins["a"]?.model == "dtmi:digitaltwins:rec_3_3:core:Building;1" && twins["a"]?.properties["name"] == "Main")
        #expect(twins["b"]?.model == "dtmi:digitaltwins:brick:Damper;1")
        #expect(twins["p"]?.model == nil && twins["room"]?.model == nil)
        #expect(file.warnings.count == 6)  // p (unmapped class), r, room, x, f, g (untyped)
    }

    @Test func clashingLocalNamesAndBlankNodes() throws {
        let file = try BrickFile.read(
            Array(
                """
                @prefix brick: <https://brickschema.org/schema/Brick#> .
                <http://a.org/x> a brick:Room ; brick:hasPoint [ a brick:Sensor ] .
                <http://b.org/x> a brick:Room ; brick:hasPart <http://a.org/x> .
                <http://c.org/has\\u0020space> a brick:Room .
                """.utf8), name: "clash.ttl")
        #expect(file.graph.twins.map(\.id) == ["x", "blank-%b1", "x-2", "has_space"])
        #expect(file.graph.relationships.map { "\($0.source) \($0.name) \($0.target)" } == ["x hasPoint blank-%b1", "x-2 hasPart x"])
        #expect(file.warnings.count == 1)
    }

    @Test func syntaxErrorsNameFileLineAndColumn() throws {
        let error = #expect(throws: TwinModelError.self) {
            try BrickFile.read(Array("@prefix ex: <http://e/> .\nex:a ex:b ex:c\n".utf8), name: "bad.ttl")
        }
        #expect(error?.description == "bad.ttl:3:1: expected \".\", found the end of the file")
        let file = try ModelFileFormat.read(Array("@prefix ex: <http://e/> . ex:a ex:b ex:c .".utf8), format: .brickTurtle, name: "ok.ttl")
        #expect(file.models.isEmpty && file.graph.twins.count == 1)
    }

    @Test func warningsReachTheImportSummaryNamedByFile() async throws {
        let text = """
            @prefix brick: <https://brickschema.org/schema/Brick#> .
            @prefix ex: <http://e/> .
            ex:room a brick:Room ; brick:hasPoint ex:mystery .
            """
        let file = try ModelFileFormat.read(Array(text.utf8), format: .brickTurtle, name: "site.ttl").prefixingIDs(with: "s1-")
        #expect(file.warnings == ["site.ttl: <http://e/mystery> has no type; imported without a model"])
        let (store, _) = try StoreFixture.memory()
        let summary = try await store.importFile(file, in: StoreFixture.tenant, changedBy: "t")
        #expect(summary.twinsCreated == 2)
        #expect(summary.warnings == file.warnings)
    }
}
