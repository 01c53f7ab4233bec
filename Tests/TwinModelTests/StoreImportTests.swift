import GRDB
import Testing
@testable import TwinModel

@Suite("Store graph import and the portfolio generator")
struct StoreImportTests {
    let tenant = StoreFixture.tenant

    @Test func importCreatesThenUpdatesIdempotently() async throws {
        let (store, queue) = try StoreFixture.memory()
        let graph = GraphImport(
            twins: [
                ImportedTwin(id: "b", model: "dtmi:x:Building;1", properties: ["name": "B"]),
                ImportedTwin(id: "r", model: "dtmi:x:Room;1", properties: ["area": 12.5], reported: ["temperature": 21]),
            ],
            relationships: [ImportedRelationship(id: "hasPart-r", source: "b", target: "r", name: "hasPart")])
        let first = try await store.importGraph(graph, in: tenant, changedBy: "import", at: StoreFixture.at(1_000))
        #expect(first.twinsCreated == 2 && first.twinsUpdated == 0)
        #expect(first.relationshipsCreated == 1 && first.relationshipsUpdated == 0)
        let room = try #require(try await store.twin("r", in: tenant))
        #expect(room.model == "dtmi:x:Room;1")
        #expect(room.properties.value == ["area": 12.5])
        #expect(room.reported.value == ["temperature": 21] && room.reported.version == 1)
        #expect(room.reported.metadata.members["temperature"]?.lastUpdated == StoreFixture.at(1_000))
        #expect(room.version == 3)

        let second = try await store.importGraph(graph, in: tenant, changedBy: "import", at: StoreFixture.at(2_000))
        #expect(second.twinsCreated == 0 && second.twinsUpdated == 2)
        #expect(second.relationshipsCreated == 0 && second.relationshipsUpdated == 1)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 2)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 1)
        #expect(try await store.relationships(of: "b", in: tenant).map(\.target) == ["r"])
    }

    @Test func aMissingTargetImportsNothing() async throws {
        let (store, queue) = try StoreFixture.memory()
        let graph = GraphImport(
            twins: [ImportedTwin(id: "a", model: nil)],
            relationships: [ImportedRelationship(id: "x", source: "a", target: "ghost", name: "feeds")])
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.importGraph(graph, in: tenant, changedBy: "import")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
    }

    @Test func duplicateIdsAndBadDocumentsAreRefusedWhole() async throws {
        let (store, queue) = try StoreFixture.memory()
        await #expect(throws: TwinModelError.twinAlreadyExists("a")) {
            try await store.importGraph(
                GraphImport(twins: [ImportedTwin(id: "a", model: nil), ImportedTwin(id: "a", model: nil)]), in: tenant, changedBy: "i")
        }
        await #expect(throws: TwinModelError.invalidKey(path: "reported.a$b", reason: "member names may not contain '$'")) {
            try await store.importGraph(
                GraphImport(twins: [ImportedTwin(id: "b", model: nil), ImportedTwin(id: "c", model: nil, reported: ["a$b": 1])]),
                in: tenant, changedBy: "i")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
    }

    @Test func relationshipLimitsHoldForImports() async throws {
        var configuration = StoreConfiguration()
        configuration.maximumIncomingRelationships = 2
        let (store, queue) = try StoreFixture.memory(configuration)
        let twins = ["t", "a", "b", "c"].map { ImportedTwin(id: $0, model: nil) }
        let relationships = ["a", "b", "c"].map { ImportedRelationship(id: "to-t", source: $0, target: "t", name: "feeds") }
        await #expect(throws: TwinModelError.relationshipLimitExceeded(twin: "t", direction: "incoming", limit: 2)) {
            try await store.importGraph(GraphImport(twins: twins, relationships: relationships), in: tenant, changedBy: "i")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 0)
    }

    @Test func portfolioIsDeterministicAndHasTheShapesCounts() async throws {
        var shape = PortfolioGenerator.Shape(sites: 2, buildingsPerSite: 2)
        shape.levelsPerBuilding = 3
        shape.roomsPerLevel = 4
        shape.sensorsPerRoom = 3
        shape.meterChainLength = 5
        let graph = PortfolioGenerator(shape: shape, seed: 7).generate()
        #expect(graph == PortfolioGenerator(shape: shape, seed: 7).generate())
        #expect(graph != PortfolioGenerator(shape: shape, seed: 8).generate())
        // Per building: 1 + 3 levels + 12 rooms + 36 sensors + 3 AHUs + 12 VAVs + 5 meters = 72.
        #expect(shape.twinsPerBuilding == 72)
        #expect(graph.twins.count == shape.twinCount && graph.twins.count == 2 + 4 * 72)
        let names = Dictionary(grouping: graph.relationships, by: \.name).mapValues(\.count)
        #expect(names == ["includes": 4, "hasPart": 4 * (3 + 12), "isLocationOf": 4 * (3 + 36 + 1), "feeds": 4 * (12 * 2 + 4)])
        #expect(Set(graph.twins.map(\.id)).count == graph.twins.count)

        let (store, _) = try StoreFixture.memory()
        let summary = try await store.importGraph(graph, in: tenant, changedBy: "sim")
        #expect(summary.twinsCreated == graph.twins.count && summary.relationshipsCreated == graph.relationships.count)
        let sensor = try #require(try await store.twin("s0-b0-l0-r0-x0", in: tenant))
        #expect(sensor.model == PortfolioGenerator.sensorModels[0])
        #expect(sensor.reported.value["temperature"]?.doubleValue.map { (16...36).contains($0) } == true)
    }

    @Test func approximateShapeLandsNearTheTarget() {
        let shape = PortfolioGenerator.Shape.approximately(twins: 1_000_000, sites: 20)
        #expect(shape.sites == 20)
        #expect(abs(shape.twinCount - 1_000_000) < shape.sites * shape.twinsPerBuilding)
    }
}

extension GraphImport: Equatable {
    public static func == (lhs: GraphImport, rhs: GraphImport) -> Bool {
        lhs.twins == rhs.twins && lhs.relationships == rhs.relationships
    }
}

@Suite("Import progress")
struct ImportProgressTests {
    final class Reports: @unchecked Sendable {
        var values: [Int] = []
    }

    @Test func progressIsReportedEveryStepAndAtTheEnd() async throws {
        let twins = (0..<25).map { ImportedTwin(id: "t\($0)", model: nil) }
        let relationships = (1..<25).map { ImportedRelationship(id: "r", source: "t\($0 - 1)", target: "t\($0)", name: "feeds") }
        let reports = Reports()
        let progress = ImportProgress(total: 49, step: 10) { done, total in
            #expect(total == 49)
            reports.values.append(done)
        }
        let (store, _) = try StoreFixture.memory()
        try await store.importGraph(GraphImport(twins: twins, relationships: relationships), in: StoreFixture.tenant, changedBy: "t", progress: progress)
        #expect(reports.values == [10, 20, 30, 40, 49])
    }
}
