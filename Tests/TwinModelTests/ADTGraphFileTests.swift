import Foundation
import Testing
@testable import TwinModel

@Suite("ADT graph files")
struct ADTGraphFileTests {
    let tenant = StoreFixture.tenant

    static let sample = """
        {"Section": "Header"}
        {"fileVersion": "1.0.0", "author": "x", "organization": "y"}
        {"Section": "Models"}
        {"@id": "dtmi:x:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3"}
        {"Section": "Twins"}
        {"$dtId": "floor", "$metadata": {"$model": "dtmi:x:Level;1"}, "levelNumber": 2}
        {"$dtId": "room", "$metadata": {"$model": "dtmi:x:Room;1"}, "area": 12.5, "tags": {"a": [1, 2]}}
        {"Section": "Relationships"}
        {"$dtId": "floor", "$relationshipId": "r1", "$targetId": "room", "$relationshipName": "hasPart", "since": 2020}
        """

    @Test func readsBulkNDJSON() throws {
        let file = try ADTGraphFile.read(Array(Self.sample.utf8), format: .bulkNDJSON, name: "f")
        #expect(file.models.map { $0["@id"] } == ["dtmi:x:Room;1"])
        #expect(file.graph.twins == [
            ImportedTwin(id: "floor", model: "dtmi:x:Level;1", properties: ["levelNumber": 2]),
            ImportedTwin(id: "room", model: "dtmi:x:Room;1", properties: ["area": 12.5, "tags": ["a": [1, 2]]]),
        ])
        #expect(file.graph.relationships == [
            ImportedRelationship(id: "r1", source: "floor", target: "room", name: "hasPart", properties: ["since": 2020])
        ])
        #expect(ADTGraphFile.detect(Array(Self.sample.utf8)) == .bulkNDJSON)
    }

    @Test(arguments: ADTGraphFile.Format.allCases)
    func exportThenImportIsARoundTrip(format: ADTGraphFile.Format) async throws {
        let original = try ADTGraphFile.read(Array(Self.sample.utf8), format: .bulkNDJSON, name: "f")
        let (store, _) = try StoreFixture.memory()
        let summary = try await store.importFile(original, in: tenant, changedBy: "t")
        #expect(summary.modelsCreated == 1 && summary.twinsCreated == 2 && summary.relationshipsCreated == 1)

        let exported = try await store.exportGraph(in: tenant)
        let bytes = exported.encoded(as: format)
        #expect(ADTGraphFile.detect(bytes) == format)
        let reread = try ADTGraphFile.read(bytes, format: format, name: "export")
        #expect(reread.graph.twins == original.graph.twins)
        #expect(reread.graph.relationships == original.graph.relationships)
        #expect(reread.models == original.models)

        let (other, _) = try StoreFixture.memory()
        try await other.importFile(reread, in: tenant, changedBy: "t")
        let again = try await other.exportGraph(in: tenant)
        #expect(again.encoded(as: format) == bytes)
    }

    @Test(arguments: [
        ("{\"Section\": \"Twins\"}\n{\"$dtId\": 5}\n", "f:2", "a twin needs a string $dtId"),
        ("{\"$dtId\": \"a\"}\n", "f:1", "a line before any {\"Section\": …} line"),
        ("{\"Section\": \"Things\"}\n", "f:1", "unknown section \"Things\""),
        ("{\"Section\": \"Twins\"}\n{\"$dtId\": \"a\",\n", "f:2:15", "unexpected end of input, expected a member name"),
    ])
    func errorsNameTheLine(text: String, location: String, reason: String) {
        #expect(throws: TwinModelError.invalidImport(location: location, reason: reason)) {
            try ADTGraphFile.read(Array(text.utf8), format: .bulkNDJSON, name: "f")
        }
    }

    @Test func explorerErrorsNameTheJSONPath() {
        let text = #"{"digitalTwinsGraph": {"digitalTwins": [{"$dtId": "a"}, {"name": "b"}], "relationships": []}}"#
        #expect(throws: TwinModelError.invalidImport(location: "g: $.digitalTwinsGraph.digitalTwins[1]", reason: "a twin needs a string $dtId")) {
            try ADTGraphFile.read(Array(text.utf8), format: .explorerJSON, name: "g")
        }
    }

    @Test func dryRunChangesNothing() async throws {
        let file = try ADTGraphFile.read(Array(Self.sample.utf8), format: .bulkNDJSON, name: "f")
        let (store, queue) = try StoreFixture.memory()
        let summary = try await store.importFile(file, in: tenant, changedBy: "t", dryRun: true)
        #expect(summary.twinsCreated == 2)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM model", in: queue) == 0)
    }
}

@Suite("ADT graph files: model validation")
struct ADTGraphFileModelTests {
    @Test func anInvalidModelRefusesTheWholeImport() async throws {
        let text = """
            {"Section": "Models"}
            {"@id": "dtmi:x:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "contents": [{"@type": "Property", "name": "1st", "schema": "double"}]}
            {"Section": "Twins"}
            {"$dtId": "room", "$metadata": {"$model": "dtmi:x:Room;1"}}
            """
        let file = try ADTGraphFile.read(Array(text.utf8), format: .bulkNDJSON, name: "f")
        let (store, queue) = try StoreFixture.memory()
        do {
            try await store.importFile(file, in: StoreFixture.tenant, changedBy: "t")
            Issue.record("an invalid model was imported")
        } catch let TwinModelError.invalidImport(location, _) {
            #expect(location.hasPrefix("models[0].contents[0]"), "\(location)")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM model", in: queue) == 0)
    }
}

@Suite("ADT graph files: id prefixes")
struct ADTGraphFilePrefixTests {
    @Test func twoFilesWithTheSameIdsStayApartWithPrefixes() async throws {
        let file = try ADTGraphFile.read(Array(ADTGraphFileTests.sample.utf8), format: .bulkNDJSON, name: "f")
        let (store, _) = try StoreFixture.memory()
        try await store.importFile(file.prefixingIDs(with: "a-"), in: StoreFixture.tenant, changedBy: "t")
        let second = try await store.importFile(file.prefixingIDs(with: "b-"), in: StoreFixture.tenant, changedBy: "t")
        #expect(second.twinsCreated == 2 && second.twinsUpdated == 0)
        #expect(try await store.relationships(of: "b-floor", in: StoreFixture.tenant).map(\.target) == ["b-room"])
        #expect(file.prefixingIDs(with: "").graph == file.graph)
    }
}
