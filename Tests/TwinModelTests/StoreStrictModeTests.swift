import Foundation
import GRDB
import Testing
@testable import TwinModel

/// A strict tenant holds twins and relationships to their models' effective contents.
@Suite("Store strict mode")
struct StoreStrictModeTests {
    let tenant = StoreFixture.tenant

    /// Space ← Room (extends Space), Building with a component; Space `hasPart` Space, at most 2.
    static let models: [(id: String, body: JSONValue)] = {
        let text = """
            [
              {"@id": "dtmi:t:Space;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3",
               "contents": [
                 {"@type": "Property", "name": "name", "schema": "string"},
                 {"@type": "Property", "name": "area", "schema": "double"},
                 {"@type": "Property", "name": "capacity", "schema": "integer"},
                 {"@type": "Property", "name": "opened", "schema": "date"},
                 {"@type": "Property", "name": "status", "schema": {"@type": "Enum", "valueSchema": "string",
                   "enumValues": [{"name": "open", "enumValue": "open"}, {"name": "closed", "enumValue": "closed"}]}},
                 {"@type": "Property", "name": "address", "schema": {"@type": "Object", "fields": [
                   {"name": "street", "schema": "string"}, {"name": "floor", "schema": "integer"}]}},
                 {"@type": "Property", "name": "labels", "schema": {"@type": "Map",
                   "mapKey": {"name": "k", "schema": "string"}, "mapValue": {"name": "v", "schema": "string"}}},
                 {"@type": "Telemetry", "name": "temperature", "schema": "double"},
                 {"@type": "Relationship", "name": "hasPart", "target": "dtmi:t:Space;1", "maxMultiplicity": 2,
                  "properties": [{"@type": "Property", "name": "since", "schema": "dateTime"}]}
               ]},
              {"@id": "dtmi:t:Room;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "extends": "dtmi:t:Space;1",
               "contents": [{"@type": "Property", "name": "seats", "schema": "integer"}]},
              {"@id": "dtmi:t:Meter;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3",
               "contents": [{"@type": "Property", "name": "serial", "schema": "string"}]},
              {"@id": "dtmi:t:Building;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3", "extends": "dtmi:t:Space;1",
               "contents": [{"@type": "Component", "name": "mainMeter", "schema": "dtmi:t:Meter;1"},
                            {"@type": "Relationship", "name": "monitoredBy"}]}
            ]
            """
        let array = try! JSONParser().parse(text).arrayValue!
        return array.map { (id: $0["@id"]!.stringValue!, body: $0) }
    }()

    func strictStore() async throws -> (store: TwinStore, queue: DatabaseQueue) {
        let (store, queue) = try StoreFixture.memory()
        _ = try await store.addModels(Self.models, in: tenant)
        try await store.setValidationMode(.strict, of: tenant)
        return (store, queue)
    }

    func violation(_ body: () async throws -> Void) async -> (path: String, reason: String)? {
        guard case .modelViolation(let path, let reason)? = await StoreFixture.error(body) else { return nil }
        return (path, reason)
    }

    @Test func tenantsStartLenientAndAcceptAnything() async throws {
        let (store, _) = try StoreFixture.memory()
        #expect(try await store.validationMode(of: tenant) == .lenient)
        try await store.putTwin("x", model: "dtmi:none:Nothing;1", properties: ["anything": 1], in: tenant, changedBy: "t")
        try await store.putTwin("y", model: nil, properties: [:], in: tenant, changedBy: "t")
        try await store.putRelationship("r", from: "x", to: "y", name: "whatever", in: tenant)
    }

    @Test func validTwinsWithInheritedPropertiesAreAccepted() async throws {
        let (store, _) = try await strictStore()
        let properties: JSONObject = [
            "name": "Room 1", "area": 12, "capacity": 4, "seats": 3, "opened": "2024-02-29", "status": "open",
            "address": ["street": "Main", "floor": 2], "labels": ["a": "b"],
        ]
        try await store.putTwin("room-1", model: "dtmi:t:Room;1", properties: properties, in: tenant, changedBy: "t")
        try await store.putTwin(
            "b1", model: "dtmi:t:Building;1", properties: ["name": "B1", "mainMeter": ["$metadata": [:], "serial": "M-1"]],
            in: tenant, changedBy: "t")
        #expect(try await store.twin("room-1", in: tenant)?.properties.value == properties)
    }

    @Test func twinViolationsNameThePathAndStoreNothing() async throws {
        let (store, queue) = try await strictStore()
        let cases: [(model: String?, properties: JSONObject, path: String, reason: String)] = [
            (nil, [:], "twins/t", "needs a model"),
            ("dtmi:t:Ghost;1", [:], "twins/t/$metadata/$model", "dtmi:t:Ghost;1 is not uploaded"),
            ("dtmi:t:Room;1", ["colour": "red"], "twins/t/colour", "declares no property colour"),
            ("dtmi:t:Room;1", ["temperature": 20], "twins/t/temperature", "as a Telemetry, not a property"),
            ("dtmi:t:Room;1", ["hasPart": "x"], "twins/t/hasPart", "as a Relationship"),
            ("dtmi:t:Room;1", ["area": "big"], "twins/t/area", "wants a number, found string"),
            ("dtmi:t:Room;1", ["capacity": 1.5], "twins/t/capacity", "wants an integer"),
            ("dtmi:t:Room;1", ["capacity": 3_000_000_000], "twins/t/capacity", "outside the range of integer"),
            ("dtmi:t:Room;1", ["opened": "2023-02-29"], "twins/t/opened", "is not a valid date"),
            ("dtmi:t:Room;1", ["status": "ajar"], "twins/t/status", "not one of the string enum values"),
            ("dtmi:t:Room;1", ["address": ["zip": "1"]], "twins/t/address/zip", "no field zip"),
            ("dtmi:t:Room;1", ["address": ["floor": "two"]], "twins/t/address/floor", "wants an integer"),
            ("dtmi:t:Room;1", ["labels": ["a": 1]], "twins/t/labels/a", "wants a string"),
            ("dtmi:t:Space;1", ["seats": 1], "twins/t/seats", "dtmi:t:Space;1 declares no property seats"),
            ("dtmi:t:Building;1", ["mainMeter": ["volts": 1]], "twins/t/mainMeter/volts", "dtmi:t:Meter;1 declares no property volts"),
            ("dtmi:t:Building;1", ["mainMeter": "M-1"], "twins/t/mainMeter", "must be an object"),
        ]
        for item in cases {
            let found = await violation {
                try await store.putTwin("t", model: item.model, properties: item.properties, in: tenant, changedBy: "t")
            }
            #expect(found?.path == item.path, "\(item.properties)")
            #expect(found?.reason.contains(item.reason) == true, "\(found?.reason ?? "no violation") should say \(item.reason)")
        }
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 0)
    }

    @Test func patchesAndModelChangesAreCheckedToo() async throws {
        let (store, _) = try await strictStore()
        try await store.putTwin("r", model: "dtmi:t:Room;1", properties: ["seats": 2], in: tenant, changedBy: "t")
        let patch = await violation {
            try await store.patchTwin("r", section: .properties, with: .merge(["seats": "many"]), in: tenant, changedBy: "t")
        }
        #expect(patch?.path == "twins/r/seats")
        // Desired and reported are the device's; the model does not govern them.
        try await store.patchTwin("r", section: .reported, with: .merge(["anything": true]), in: tenant, changedBy: "d")
        let remodel = await violation { try await store.setModel("dtmi:t:Space;1", of: "r", in: tenant) }
        #expect(remodel?.path == "twins/r/seats")
        let twin = try #require(try await store.twin("r", in: tenant))
        #expect(twin.model == "dtmi:t:Room;1")
        #expect(twin.properties.value == ["seats": 2])
    }

    @Test func relationshipsFollowNameTargetPropertiesAndMultiplicity() async throws {
        let (store, queue) = try await strictStore()
        for (id, model) in [("b", "dtmi:t:Building;1"), ("r1", "dtmi:t:Room;1"), ("r2", "dtmi:t:Room;1"), ("r3", "dtmi:t:Room;1"), ("m", "dtmi:t:Meter;1")] {
            try await store.putTwin(id, model: model, properties: [:], in: tenant, changedBy: "t")
        }
        // Room extends Space, so it is a valid target of hasPart; the relationship is inherited by Building.
        try await store.putRelationship("p1", from: "b", to: "r1", name: "hasPart", properties: ["since": "2024-01-01T00:00:00Z"], in: tenant)
        try await store.putRelationship("p2", from: "b", to: "r2", name: "hasPart", in: tenant)
        // Replacing one of the two is not a third.
        try await store.putRelationship("p2", from: "b", to: "r3", name: "hasPart", in: tenant)
        // A relationship without a target accepts any twin.
        try await store.putRelationship("mon", from: "b", to: "m", name: "monitoredBy", in: tenant)

        let third = await violation { try await store.putRelationship("p3", from: "b", to: "r2", name: "hasPart", in: tenant) }
        #expect(third?.reason.contains("allows at most 2") == true)
        let wrongTarget = await violation { try await store.putRelationship("p4", from: "r1", to: "m", name: "hasPart", in: tenant) }
        #expect(wrongTarget?.reason.contains("must target a dtmi:t:Space;1") == true)
        let undeclared = await violation { try await store.putRelationship("p5", from: "m", to: "b", name: "hasPart", in: tenant) }
        #expect(undeclared?.reason == "model dtmi:t:Meter;1 declares no relationship \"hasPart\"")
        let notRelationship = await violation { try await store.putRelationship("p6", from: "r1", to: "r2", name: "area", in: tenant) }
        #expect(notRelationship?.reason.contains("(it is a Property)") == true)
        let badProperty = await violation {
            try await store.putRelationship("p7", from: "r1", to: "r2", name: "hasPart", properties: ["since": "yesterday"], in: tenant)
        }
        #expect(badProperty?.path == "twins/r1/relationships/p7/since")
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 3)

        // Remodelling the target of p1 into a Meter breaks p1's target rule.
        let retarget = await violation { try await store.setModel("dtmi:t:Meter;1", of: "r1", in: tenant) }
        #expect(retarget?.reason.contains("must target a dtmi:t:Space;1") == true)
    }

    @Test func turningStrictOnChecksTheExistingGraph() async throws {
        let (store, _) = try StoreFixture.memory()
        _ = try await store.addModels(Self.models, in: tenant)
        try await store.putTwin("ok", model: "dtmi:t:Room;1", properties: ["seats": 1], in: tenant, changedBy: "t")
        try await store.putTwin("bad", model: "dtmi:t:Room;1", properties: ["seats": "x"], in: tenant, changedBy: "t")
        try await store.putTwin("none", model: nil, properties: [:], in: tenant, changedBy: "t")
        let refused = await violation { try await store.setValidationMode(.strict, of: tenant) }
        #expect(refused?.path == "tenant")
        #expect(refused?.reason.contains("2 violations") == true)
        #expect(refused?.reason.contains("twins/bad/seats") == true)
        #expect(refused?.reason.contains("twins/none") == true)
        #expect(try await store.validationMode(of: tenant) == .lenient)

        try await store.deleteTwin("bad", in: tenant)
        try await store.deleteTwin("none", in: tenant)
        try await store.setValidationMode(.strict, of: tenant)
        #expect(try await store.validationMode(of: tenant) == .strict)
        #expect(await StoreFixture.error { try await store.deleteModel("dtmi:t:Room;1", in: tenant) } == .modelInUse(id: "dtmi:t:Room;1", twins: 1))
        try await store.setValidationMode(.lenient, of: tenant)
        try await store.deleteModel("dtmi:t:Room;1", in: tenant)
    }

    @Test func strictImportsAreAllOrNothing() async throws {
        let (store, queue) = try await strictStore()
        let good = GraphImport(
            twins: [ImportedTwin(id: "b", model: "dtmi:t:Building;1"), ImportedTwin(id: "r", model: "dtmi:t:Room;1", properties: ["seats": 4])],
            relationships: [ImportedRelationship(id: "p", source: "b", target: "r", name: "hasPart")])
        try await store.importGraph(good, in: tenant, changedBy: "t")

        let badTwin = GraphImport(twins: [ImportedTwin(id: "x", model: "dtmi:t:Room;1", properties: ["seats": true])])
        #expect(await violation { try await store.importGraph(badTwin, in: tenant, changedBy: "t") }?.path == "twins/x/seats")

        // The relationship's source is stored already and its target comes with the import.
        let badTarget = GraphImport(
            twins: [ImportedTwin(id: "m", model: "dtmi:t:Meter;1")],
            relationships: [ImportedRelationship(id: "q", source: "b", target: "m", name: "hasPart")])
        #expect(await violation { try await store.importGraph(badTarget, in: tenant, changedBy: "t") }?.reason.contains("must target") == true)

        let tooMany = GraphImport(
            twins: [ImportedTwin(id: "r2", model: "dtmi:t:Room;1"), ImportedTwin(id: "r3", model: "dtmi:t:Room;1")],
            relationships: [
                ImportedRelationship(id: "p2", source: "b", target: "r2", name: "hasPart"),
                ImportedRelationship(id: "p3", source: "b", target: "r3", name: "hasPart"),
            ])
        #expect(await violation { try await store.importGraph(tooMany, in: tenant, changedBy: "t") }?.reason.contains("allows at most 2") == true)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM twin", in: queue) == 2)
        #expect(try StoreFixture.count("SELECT COUNT(*) FROM relationship", in: queue) == 1)
    }

    @Test func importedModelsGovernTheirOwnTwins() async throws {
        let (store, _) = try StoreFixture.memory()
        try await store.setValidationMode(.strict, of: tenant)
        let pump: JSONValue = [
            "@id": "dtmi:t:Pump;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3",
            "contents": [["@type": "Property", "name": "rpm", "schema": "integer"]],
        ]
        let graph = GraphImport(twins: [ImportedTwin(id: "p", model: "dtmi:t:Pump;1", properties: ["rpm": 1200])])
        try await store.importGraph(graph, in: tenant, changedBy: "t", models: [(id: "dtmi:t:Pump;1", body: pump)])
        let bad = GraphImport(twins: [ImportedTwin(id: "q", model: "dtmi:t:Pump;1", properties: ["rpm": "fast"])])
        #expect(await violation { try await store.importGraph(bad, in: tenant, changedBy: "t") }?.path == "twins/q/rpm")
    }

    @Test(arguments: [
        ("date", "2024-02-29", true), ("date", "2023-02-29", false), ("date", "2024-13-01", false), ("date", "24-01-01", false),
        ("time", "23:59:60", true), ("time", "12:00:00.125", true), ("time", "24:00:00", false), ("time", "12:00", false),
        ("dateTime", "2024-01-01T10:00:00Z", true), ("dateTime", "2024-01-01T10:00:00.5+05:30", true),
        ("dateTime", "2024-01-01 10:00:00Z", false), ("dateTime", "2024-01-01T10:00:00", false),
        ("duration", "P1Y2M3DT4H5M6.5S", true), ("duration", "PT10M", true), ("duration", "P2W", true),
        ("duration", "P", false), ("duration", "PT", false), ("duration", "P1H", false), ("duration", "PT1M1H", false),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", true), ("uuid", "123e4567e89b12d3a456426614174000", false),
        ("bytes", "aGVsbG8=", true), ("bytes", "aGVsbG8", false),
    ])
    func stringPrimitiveFormats(term: String, text: String, valid: Bool) {
        #expect(TemporalFormat.matches(text, term: term) == valid)
    }
}
