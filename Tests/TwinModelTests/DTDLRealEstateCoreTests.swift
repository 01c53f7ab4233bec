import Foundation
import Testing
import TwinModel

/// The RealEstateCore 3.3 ontology (767 DTDL v3 Interfaces, one per file, each with a BOM) loads cleanly.
@Suite("DTDL RealEstateCore", .enabled(if: DTDLTestData.hasOntology, "shared/data/rec-dtdl/Ontology is missing"))
struct DTDLRealEstateCoreTests {
    static func load() throws -> DTDLModelSet {
        let documents = try DTDLTestData.files(under: DTDLTestData.ontology).map {
            (name: $0.lastPathComponent, bytes: try DTDLTestData.bytes($0))
        }
        return try DTDLModelSet.parse(documents: documents, mode: .strict)
    }

    @Test func allInterfacesLoadInStrictMode() throws {
        let models = try Self.load()
        #expect(models.interfaces.count == 767)
        #expect(models.unresolvedReferences.isEmpty)
    }

    @Test func roomInheritsSpaceContents() throws {
        let models = try Self.load()
        let room = "dtmi:digitaltwins:rec_3_3:core:Room;1"
        let space = "dtmi:digitaltwins:rec_3_3:core:Space;1"
        #expect(models.interfaces[room]?.contents.isEmpty == true)
        #expect(models.ancestors(of: room) == [space])
        let inherited = models.effectiveContents(of: room)
        #expect(inherited.count == 21)
        #expect(Set(inherited.map(\.name)) == Set(models.effectiveContents(of: space).map(\.name)))
        guard case .property(let occupancy)? = inherited.first(where: { $0.name == "personOccupancy" }) else {
            Issue.record("personOccupancy missing")
            return
        }
        #expect(occupancy.schema == .primitive("integer"))
        #expect(occupancy.writable)
        #expect(models.interfaces[room]?.displayName["en"] == "Room")
    }
}
