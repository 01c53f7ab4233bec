import Testing
@testable import TwinModel

/// `WHERE` on one collection: comparisons, `IN`/`NIN`, paths into sections, functions and `IS_OF_MODEL`.
@Suite("Query filters")
struct QueryFilterTests {
    static let rooms = ["b1-l1-r1", "b1-l1-r2", "b1-l2-r1", "b2-l1-r1"]
    static let sensors = ["s-t1", "s-t2", "s-co2", "s-t3"]
    static let named = ["site", "b1", "b2", "b1-l1-r1", "b1-l1-r2", "b1-l2-r1", "b2-l1-r1", "dev-1"]
    static let everything = QueryFixture.twins.map(\.id)

    /// Checks each condition selects exactly these twins, each once (the order is QueryProjectionTests' concern).
    func check(_ cases: KeyValuePairs<String, [String]>, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (store, _) = try await QueryFixture.graph()
        for (condition, expected) in cases {
            let ids = try await QueryFixture.ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE " + condition, in: store)
            #expect(ids.sorted() == expected.sorted(), "WHERE \(condition)", sourceLocation: sourceLocation)
        }
    }

    @Test func pointLookup() async throws {
        let (store, _) = try await QueryFixture.graph()
        let b1 = try #require(try await store.twin("b1", in: QueryFixture.tenant))
        let expected = QueryFixture.adtJSON(b1)
        #expect(expected["$etag"] == .string(b1.etag))
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'b1'", in: store) == [expected])
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS WHERE $dtId = 'b1'", in: store) == [expected])
        #expect(try await QueryFixture.all("select * from digitaltwins where 'b1' = $dtId", in: store) == [expected])
        #expect(try await QueryFixture.all("SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 'b1'", in: store) == [["T": expected]])
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'B1'", in: store) == [])
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'nope'", in: store) == [])
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 1", in: store) == [])
        let plan = try await store.queryPlan("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'b1' AND T.name = 'North'", in: QueryFixture.tenant)
        #expect(plan == ["SEARCH t0 USING INDEX sqlite_autoindex_twin_1 (tenant=? AND id=?)"])
    }

    @Test func comparisons() async throws {
        try await check([
            "T.capacity > 5": ["b1-l1-r1", "b1-l1-r2", "b2-l1-r1"],
            "5 < T.capacity": ["b1-l1-r1", "b1-l1-r2", "b2-l1-r1"],
            "T.capacity >= 8 AND T.capacity < 50": ["b1-l1-r2", "b2-l1-r1"],
            "T.capacity <= 8": ["b1-l1-r2", "b1-l2-r1"],
            "T.capacity = 8.0": ["b1-l1-r2"],
            "T.level = 1 OR T.floors = 1": ["b2", "b1-l1", "b2-l1"],
            "T.name < 'H'": ["b1-l1-r2"],
            "T.name >= 'S'": ["b2", "dev-1"],
            "T.temperature = 23": ["s-t2"],
            "T.temperature = 19": ["s-t3"],
            "T.temperature = 21.5": ["s-t1"],
            "T.temperature > 20": ["s-t1", "s-t2"],
            "T.temperature < 20.5": ["s-t3"],
            "T.temperature >= -1e3": ["s-t1", "s-t2", "s-t3"],
            "T.$dtId > 's'": ["site", "s-t1", "s-t2", "s-co2", "s-t3"],
            "T.$dtId <= 'b1'": ["b1"],
            "T.$metadata.$model = 'dtmi:test:Room;1'": ["b1-l1-r1", "b1-l2-r1"],
        ])
    }

    @Test func typesAndUndefined() async throws {
        try await check([
            // Another type never equals, is always unequal, and has no order.
            "T.capacity = '8'": [],
            "T.bookable = true": ["b1-l1-r2"],
            "T.bookable = 1": [],
            "T.bookable != true": ["b2-l1-r1"],
            "T.name != 5": Self.named,
            "T.capacity > '1'": [],
            "T.capacity < true": [],
            "T.address = 'Oslo'": [],
            "T.$dtId = true": [],
            "T.$dtId != 5": Self.everything,
            // A missing property is undefined, and so is NOT of anything about it.
            "T.name != 'Lobby'": ["site", "b1", "b2", "b1-l1-r2", "b1-l2-r1", "b2-l1-r1", "dev-1"],
            "NOT (T.name = 'Lobby')": ["site", "b1", "b2", "b1-l1-r2", "b1-l2-r1", "b2-l1-r1", "dev-1"],
            "NOT T.capacity > 10": ["b1-l1-r2", "b1-l2-r1"],
            "NOT NOT T.capacity > 10": ["b1-l1-r1", "b2-l1-r1"],
            "T.capacity > 10 OR NOT IS_DEFINED(T.capacity)": [
                "site", "b1", "b2", "b1-l1", "b1-l2", "b2-l1", "b1-l1-r1", "b2-l1-r1", "s-t1", "s-t2", "s-co2", "s-t3", "dev-1",
            ],
            "T.$metadata.$model != 'dtmi:test:Room;1'": Self.everything.filter { !["b1-l1-r1", "b1-l2-r1"].contains($0) },
            "T.nothing = null": [],
            "T.nothing != null": [],
            "T.name != null": Self.named,
            "T.name = null": [],
            // A bare property is a test for true; literals are constant conditions.
            "T.bookable": ["b1-l1-r2"],
            "NOT T.bookable": ["b2-l1-r1"],
            "true": Self.everything,
            "false": [],
            "null": [],
            "1 = 1.0": Self.everything,
            "'a' = 1": [],
            "null = null": Self.everything,
            // Two properties: compared row by row, with the same type rules.
            "T.name = T.name": Self.named,
            "T.capacity != T.name": Self.rooms,
            "T.$dtId != T.name": Self.named,
            "T.$dtId = T.$dtId": Self.everything,
            "T.capacity > T.missing": [],
        ])
    }

    @Test func membership() async throws {
        try await check([
            "T.$dtId IN ['b1', 'b2', 'nope']": ["b1", "b2"],
            "T.$dtId NIN ['b1', 'b2']": Self.everything.filter { $0 != "b1" && $0 != "b2" },
            "T.$dtId IN []": [],
            "T.$dtId NIN []": Self.everything,
            "T.$dtId IN [1, true]": [],
            "T.name IN ['North', 'Fjord', 5]": ["b1", "b1-l1-r2"],
            "T.capacity NIN [8, 12]": ["b1-l1-r1", "b1-l2-r1"],
            "T.capacity IN ['8', true, null]": [],
            "T.capacity NIN ['8']": Self.rooms,
            "T.bookable IN [false]": ["b2-l1-r1"],
            "T.temperature IN [19, 23]": ["s-t2", "s-t3"],
            "T.temperature IN [21.5, 'C']": ["s-t1"],
            "T.unit NIN ['C']": ["s-co2"],
            "T.$metadata.$model IN ['dtmi:test:Level;1', 'dtmi:test:Site;1']": ["site", "b1-l1", "b1-l2", "b2-l1"],
            "'x' IN ['x']": Self.everything,
            "1 NIN [1.0]": [],
        ])
    }

    @Test func nestedAndSectionPaths() async throws {
        try await check([
            "T.address.city = 'Oslo'": ["b1"],
            "T.address.zip = '0150'": ["b1"],
            "T.address.zip = 150": [],
            "IS_DEFINED(T.address.zip)": ["b1"],
            "T.address.city.x = 'Oslo'": [],
            "T.desired.mode = 'eco'": ["dev-1"],
            "T.desired.setpoint >= 20": ["dev-1"],
            "T.reported.mode = 'eco'": [],
            "T.reported.mode = 'comfort'": ["dev-1"],
            "T.reported.firmware.version = '1.2.0'": ["dev-1"],
            "T.tags.site = 'HQ'": ["dev-1"],
            "IS_DEFINED(T.desired.mode)": ["dev-1"],
            "IS_OBJECT(T.desired)": Self.everything,
            "IS_DEFINED(T['desired'])": [],
            "T.mode = 'eco'": [],
            // Keys with path punctuation, escapes and non-ASCII letters are addressed exactly.
            "T.odd['a.b'] = 1": ["dev-1"],
            "T.odd['x]'] = 2": ["dev-1"],
            "T.odd['back\\\\slash'] = 3": ["dev-1"],
            "T.odd['sp ace'] = 4": ["dev-1"],
            "T.odd['é'] = 5": ["dev-1"],
            "T.odd.a = 1": [],
            "T.odd['a'].b = 1": [],
        ])
    }

    @Test func typeFunctions() async throws {
        try await check([
            "IS_NUMBER(T.capacity)": Self.rooms,
            "IS_STRING(T.unit)": ["s-t1", "s-t2", "s-co2"],
            "IS_BOOL(T.bookable)": ["b1-l1-r2", "b2-l1-r1"],
            "IS_OBJECT(T.address)": ["b1", "b2"],
            "IS_ARRAY(T.labels)": ["b1-l1-r1"],
            // `tags` is the device section; a property of that name is reached in brackets.
            "IS_ARRAY(T.tags)": [],
            "IS_OBJECT(T.tags)": Self.everything,
            "IS_ARRAY(T['tags'])": ["b2"],
            "IS_NULL(T.labels)": [],
            "IS_PRIMITIVE(T.address)": [],
            "IS_PRIMITIVE(T.floors)": ["b1", "b2"],
            "IS_DEFINED(T.unit)": ["s-t1", "s-t2", "s-co2"],
            "NOT IS_DEFINED(T.name)": ["b1-l1", "b1-l2", "b2-l1", "s-t1", "s-t2", "s-co2", "s-t3"],
            "NOT IS_NUMBER(T.capacity)": Self.everything.filter { !Self.rooms.contains($0) },
            "IS_STRING(T.$dtId)": Self.everything,
            "IS_NUMBER(T.$dtId)": [],
            "IS_DEFINED(T.$metadata.$model)": Self.everything,
            "IS_STRING(T.$etag)": Self.everything,
            "IS_NUMBER(5) AND IS_STRING('x') AND IS_NULL(null) AND IS_BOOL(false)": Self.everything,
        ])
    }

    @Test func stringAndArrayFunctions() async throws {
        try await check([
            "STARTSWITH(T.$dtId, 'b1-l1')": ["b1-l1", "b1-l1-r1", "b1-l1-r2"],
            "STARTSWITH(T.$dtId, 's-')": ["s-t1", "s-t2", "s-co2", "s-t3"],
            "STARTSWITH(T.$dtId, '')": Self.everything,
            "STARTSWITH(T.name, 'Off')": ["b1-l2-r1"],
            "STARTSWITH(T.name, '')": Self.named,
            "STARTSWITH(T.name, 'off')": [],
            "NOT STARTSWITH(T.name, 'H')": ["b1", "b2", "b1-l1-r1", "b1-l1-r2", "b1-l2-r1", "dev-1"],
            "STARTSWITH(T.capacity, '5')": [],
            "STARTSWITH(T.$metadata.$model, 'dtmi:test:Temp')": ["s-t1", "s-t2", "s-t3"],
            "ENDSWITH(T.name, 'our')": ["b2-l1-r1"],
            "ENDSWITH(T.$dtId, '-r1')": ["b1-l1-r1", "b1-l2-r1", "b2-l1-r1"],
            "ENDSWITH(T.$dtId, 'ab-r1')": [],
            "CONTAINS(T.name, 'or')": ["b1", "b1-l1-r2"],
            "CONTAINS(T.name, 'bou')": ["b2-l1-r1"],
            "ARRAY_CONTAINS(T['tags'], 'legacy')": ["b2"],
            "CONTAINS(T.$dtId, 'l2')": ["b1-l2", "b1-l2-r1"],
            "CONTAINS(T.name, '')": Self.named,
            "ARRAY_CONTAINS(T.labels, 'ground')": ["b1-l1-r1"],
            "ARRAY_CONTAINS(T.labels, 7)": ["b1-l1-r1"],
            "ARRAY_CONTAINS(T.labels, 7.0)": ["b1-l1-r1"],
            "ARRAY_CONTAINS(T.labels, true)": ["b1-l1-r1"],
            "ARRAY_CONTAINS(T.labels, false)": [],
            "ARRAY_CONTAINS(T.labels, '7')": [],
            "ARRAY_CONTAINS(T.labels, 'nope')": [],
            "ARRAY_CONTAINS(T.flags, null)": ["s-co2"],
            "ARRAY_CONTAINS(T.flags, 'x')": ["s-co2"],
            "ARRAY_CONTAINS(T.flags, 1)": ["s-co2"],
            "ARRAY_CONTAINS(T.flags, true)": [],
            "ARRAY_CONTAINS(T.address, 'Oslo')": [],
            "ARRAY_CONTAINS(T.$dtId, 'b1')": [],
            "STARTSWITH('abc', 'ab') AND ENDSWITH('abc', 'bc') AND CONTAINS('abc', 'b')": Self.everything,
        ])
    }

    @Test func isOfModel() async throws {
        try await check([
            "IS_OF_MODEL('dtmi:test:Space;1')": ["site", "b1", "b2", "b1-l1", "b1-l2", "b2-l1"] + Self.rooms,
            "IS_OF_MODEL('dtmi:test:Room;1')": Self.rooms,
            "IS_OF_MODEL('dtmi:test:Room;1', exact)": ["b1-l1-r1", "b1-l2-r1"],
            "IS_OF_MODEL(T, 'dtmi:test:Room;1', exact)": ["b1-l1-r1", "b1-l2-r1"],
            "IS_OF_MODEL('dtmi:test:Bookable;1')": ["b1-l1-r2", "b2-l1-r1"],
            "IS_OF_MODEL('dtmi:test:Capability;1')": Self.sensors,
            "IS_OF_MODEL('dtmi:test:Sensor;1')": Self.sensors,
            "IS_OF_MODEL('dtmi:test:Sensor;1', exact)": ["s-co2"],
            "IS_OF_MODEL(T, 'dtmi:test:Building;1')": ["b1", "b2"],
            "IS_OF_MODEL('dtmi:test:Nope;1')": [],
            "NOT IS_OF_MODEL('dtmi:test:Space;1')": Self.sensors + ["dev-1"],
            "IS_OF_MODEL('dtmi:test:Room;1') AND T.capacity > 10": ["b1-l1-r1", "b2-l1-r1"],
            "IS_OF_MODEL('dtmi:test:Bookable;1') OR IS_OF_MODEL('dtmi:test:Level;1', exact)": ["b1-l1", "b1-l2", "b2-l1", "b1-l1-r2", "b2-l1-r1"],
        ])
    }

    @Test func isOfModelSurvivesCyclesAndInlineInterfaces() async throws {
        let (store, _) = try await QueryFixture.graph()
        let tenant = QueryFixture.tenant
        _ = try await store.addModels(
            [
                ("dtmi:c:A;1", ["@id": "dtmi:c:A;1", "extends": "dtmi:c:B;1"]),
                ("dtmi:c:B;1", ["@id": "dtmi:c:B;1", "extends": ["dtmi:c:A;1"]]),
                ("dtmi:c:C;1", ["@id": "dtmi:c:C;1", "extends": [["@id": "dtmi:c:Inline;1", "@type": "Interface"], "dtmi:c:B;1"]]),
            ], in: tenant)
        for (id, model) in [("a", "A"), ("b", "B"), ("c", "C"), ("u", "Unknown")] {
            try await store.putTwin(id, model: "dtmi:c:\(model);1", properties: [:], in: tenant, changedBy: "test")
        }
        let ids = { (model: String) in try await QueryFixture.ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('\(model)')", in: store) }
        #expect(try await ids("dtmi:c:A;1") == ["a", "b", "c"])
        #expect(try await ids("dtmi:c:Inline;1") == ["c"])
        #expect(try await ids("dtmi:c:Unknown;1") == ["u"])
    }
}
