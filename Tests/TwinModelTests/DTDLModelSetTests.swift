import Testing
import TwinModel

@Suite("DTDL model sets")
struct DTDLModelSetTests {
    static func interface(
        _ id: String, extends: [String] = [], contents: String = "", context: String = #""dtmi:dtdl:context;3""#
    ) -> String {
        let bases = extends.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        {"@context": \(context), "@id": "\(id)", "@type": "Interface",
         "extends": [\(bases)], "contents": [\(contents)]}
        """
    }

    @Test func cyclicExtendsIsRefusedNamingTheCycle() {
        let documents = [
            Self.interface("dtmi:ex:a;1", extends: ["dtmi:ex:b;1"]),
            Self.interface("dtmi:ex:b;1", extends: ["dtmi:ex:c;1"]),
            Self.interface("dtmi:ex:c;1", extends: ["dtmi:ex:a;1"]),
        ]
        #expect {
            try dtdlParse(documents)
        } throws: { error in
            let message = (error as? DTDLParseFailure)?.description ?? ""
            return message.contains("extends cycle") && message.contains("dtmi:ex:a;1 → dtmi:ex:b;1 → dtmi:ex:c;1 → dtmi:ex:a;1")
        }
    }

    @Test func truncatedJSONGivesFileAndLine() {
        let text = "{\n  \"@context\": \"dtmi:dtdl:context;3\",\n  \"@id\": \"dtmi:ex:a;1\",\n  \"@type\": "
        #expect {
            try DTDLModelSet.parse(documents: [(name: "broken.json", bytes: Array(text.utf8))], mode: .strict)
        } throws: { error in
            guard let failure = error as? DTDLParseFailure, let first = failure.errors.first else { return false }
            return first.file == "broken.json" && first.line == 4 && failure.description.hasPrefix("broken.json:4:")
        }
    }

    @Test func errorsCarryFileAndJSONPath() {
        let document = Self.interface("dtmi:ex:a;1", contents: """
            {"@type": "Property", "name": "ok", "schema": "double"},
            {"@type": "Property", "name": "bad-name", "schema": "double"}
            """)
        #expect {
            try DTDLModelSet.parse(documents: [(name: "a.json", bytes: Array(document.utf8))], mode: .strict)
        } throws: { error in
            let errors = (error as? DTDLParseFailure)?.errors ?? []
            return errors.count == 1 && errors[0].file == "a.json" && errors[0].path == "$.contents[1].name"
        }
    }

    @Test func strictRefusesUnresolvedReferencesLenientListsThem() throws {
        let documents = [Self.interface("dtmi:ex:a;1", extends: ["dtmi:ex:missing;1"])]
        #expect(throws: DTDLParseFailure.self) { try dtdlParse(documents) }
        let models = try dtdlParse(documents, mode: .lenient)
        #expect(models.unresolvedReferences == ["dtmi:ex:missing;1"])
        #expect(models.interfaces["dtmi:ex:a;1"]?.extends == ["dtmi:ex:missing;1"])
    }

    @Test func effectiveContentsFollowMultipleInheritance() throws {
        let models = try dtdlParse([
            Self.interface("dtmi:ex:a;1", extends: ["dtmi:ex:b;1", "dtmi:ex:c;1"],
                           contents: #"{"@type": "Telemetry", "name": "t", "schema": "double"}"#),
            Self.interface("dtmi:ex:b;1", extends: ["dtmi:ex:d;1"],
                           contents: #"{"@type": ["Property", "Temperature"], "name": "p", "schema": "double", "unit": "degreeCelsius"}"#,
                           context: #"["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"]"#),
            Self.interface("dtmi:ex:c;1", extends: ["dtmi:ex:d;1"]),
            Self.interface("dtmi:ex:d;1", contents: #"{"@type": "Relationship", "name": "r", "target": "dtmi:ex:a;1"}"#),
        ])
        let names = models.effectiveContents(of: "dtmi:ex:a;1").map(\.name)
        #expect(names == ["t", "p", "r"])
        #expect(models.ancestors(of: "dtmi:ex:a;1") == ["dtmi:ex:b;1", "dtmi:ex:c;1", "dtmi:ex:d;1"])
        guard case .property(let property)? = models.interfaces["dtmi:ex:b;1"]?.contents.first else {
            Issue.record("property p missing")
            return
        }
        #expect(property.semanticTypes == ["Temperature"])
        #expect(property.unit == "degreeCelsius")
    }

    @Test func duplicateNamesAcrossTheHierarchyAreRefused() {
        #expect(throws: DTDLParseFailure.self) {
            try dtdlParse([
                Self.interface("dtmi:ex:a;1", extends: ["dtmi:ex:b;1"], contents: #"{"@type": "Telemetry", "name": "x", "schema": "double"}"#),
                Self.interface("dtmi:ex:b;1", contents: #"{"@type": "Property", "name": "x", "schema": "double"}"#),
            ])
        }
    }

    @Test func complexSchemasAreTyped() throws {
        let models = try dtdlParse([Self.interface("dtmi:ex:a;1", contents: """
            {"@type": "Property", "name": "mode", "schema": {"@type": "Enum", "valueSchema": "string",
              "enumValues": [{"name": "on", "enumValue": "ON"}, {"name": "off", "enumValue": "OFF"}]}},
            {"@type": "Telemetry", "name": "tags", "schema": {"@type": "Map",
              "mapKey": {"name": "k", "schema": "string"}, "mapValue": {"name": "v", "schema": {"@type": "Array", "elementSchema": "uuid"}}}}
            """)])
        let contents = models.effectiveContents(of: "dtmi:ex:a;1")
        guard case .property(let mode) = contents[0], case .telemetry(let tags) = contents[1] else {
            Issue.record("unexpected contents \(contents)")
            return
        }
        #expect(mode.schema == .enumeration(valueSchema: "string", values: [
            DTDLEnumValue(name: "on", value: "ON"), DTDLEnumValue(name: "off", value: "OFF"),
        ]))
        #expect(tags.schema == .map(keyName: "k", valueName: "v", value: .array(element: .primitive("uuid"))))
    }
}
