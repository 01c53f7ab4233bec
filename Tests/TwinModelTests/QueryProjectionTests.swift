import Testing
@testable import TwinModel

/// What queries return: projections, `TOP`, `COUNT`, aggregates with `GROUP BY`, and `ORDER BY`.
@Suite("Query projections")
struct QueryProjectionTests {
    let tenant = QueryFixture.tenant

    @Test func properties() async throws {
        let (store, _) = try await QueryFixture.graph()
        let b1 = try #require(try await store.twin("b1", in: tenant))
        #expect(
            try await QueryFixture.all(
                "SELECT T.name, T.address.city, T.$dtId, T.$metadata.$model, T.$etag FROM DIGITALTWINS T WHERE T.$dtId = 'b1'", in: store)
                == [["name": "North", "city": "Oslo", "$dtId": "b1", "$model": "dtmi:test:Building;1", "$etag": .string(b1.etag)]])
        #expect(
            try await QueryFixture.all("SELECT T.name AS n, T.address AS a FROM DIGITALTWINS T WHERE T.$dtId = 'b1'", in: store)
                == [["n": "North", "a": ["city": "Oslo", "zip": "0150"]]])
        // An undefined property leaves its key out.
        #expect(
            try await QueryFixture.all("SELECT T.name, T.capacity FROM DIGITALTWINS T WHERE T.$dtId IN ['b1', 'b1-l1-r1']", in: store)
                == [["name": "North"], ["name": "Lobby", "capacity": 50]])
        #expect(
            try await QueryFixture.all("SELECT T.desired, T.reported.firmware, T.tags FROM DIGITALTWINS T WHERE T.$dtId = 'dev-1'", in: store)
                == [["desired": ["mode": "eco", "setpoint": 20], "firmware": ["version": "1.2.0"], "tags": ["site": "HQ"]]])
        #expect(
            try await QueryFixture.values("temperature", "SELECT T.temperature FROM DIGITALTWINS T WHERE IS_DEFINED(T.temperature)", in: store)
                == [.double(21.5), .int(23), .double(19.0)])
        #expect(
            try await QueryFixture.all("SELECT T.labels, T.odd['a.b'] AS ab FROM DIGITALTWINS T WHERE T.$dtId IN ['b1-l1-r1', 'dev-1']", in: store)
                == [["labels": ["public", "ground", 7, true]], ["ab": 1]])
        // With an unnamed collection, bare names are its properties.
        #expect(try await QueryFixture.all("SELECT name FROM DIGITALTWINS WHERE $dtId = 'b1'", in: store) == [["name": "North"]])
        #expect(try await QueryFixture.all("SELECT $dtId FROM DIGITALTWINS WHERE name = 'HQ'", in: store) == [["$dtId": "site"]])
        // A collection next to a property.
        let b2 = QueryFixture.adtJSON(try #require(try await store.twin("b2", in: tenant)))
        #expect(
            try await QueryFixture.all("SELECT B, L.level FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b2'", in: store)
                == [["B": b2, "level": 1]])
    }

    @Test func twinWithoutModel() async throws {
        let (store, _) = try await QueryFixture.graph()
        let created = try await store.putTwin("loose", model: nil, properties: ["a": 1], in: tenant, changedBy: "test").twin
        #expect(try await QueryFixture.all("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'loose'", in: store) == [QueryFixture.adtJSON(created)])
        #expect(QueryFixture.adtJSON(created)["$metadata"]?["$model"] == .null)
        #expect(try await QueryFixture.all("SELECT T.$metadata.$model, T.a FROM DIGITALTWINS T WHERE T.$dtId = 'loose'", in: store) == [["a": 1]])
        #expect(try await QueryFixture.ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE NOT IS_DEFINED(T.$metadata.$model)", in: store) == ["loose"])
        #expect(try await QueryFixture.ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$metadata.$model != 'x' AND T.a = 1", in: store) == [])
    }

    @Test func top() async throws {
        let (store, _) = try await QueryFixture.graph()
        let page = try await store.query("SELECT TOP(2) T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Room;1')", in: tenant)
        #expect(page == QueryPage(items: [["$dtId": "b1-l1-r2"], ["$dtId": "b2-l1-r1"]], continuationToken: nil))
        #expect(
            try await QueryFixture.ids("SELECT TOP(2) T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.capacity) ORDER BY T.capacity DESC", in: store)
                == ["b1-l1-r1", "b2-l1-r1"])
        #expect(try await QueryFixture.ids("SELECT TOP(100) * FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Level;1')", in: store) == ["b1-l1", "b1-l2", "b2-l1"])
    }

    @Test func countAndAggregates() async throws {
        let (store, _) = try await QueryFixture.graph()
        let all = { (text: String) in try await QueryFixture.all(text, in: store) }
        #expect(try await all("SELECT COUNT() FROM DIGITALTWINS") == [["COUNT": 15]])
        #expect(try await all("SELECT COUNT() AS n FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Room;1')") == [["n": 4]])
        #expect(try await all("SELECT COUNT() FROM DIGITALTWINS T WHERE T.$dtId = 'nope'") == [["COUNT": 0]])
        #expect(
            try await all(
                "SELECT COUNT() AS n, SUM(T.capacity) AS total, AVG(T.capacity) AS mean, MIN(T.capacity) AS lo, MAX(T.capacity) AS hi FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Room;1')")
                == [["n": 4, "total": 74, "mean": 18.5, "lo": 4, "hi": 50]])
        #expect(
            try await all("SELECT SUM(T.temperature) AS s, AVG(T.temperature) AS a FROM DIGITALTWINS T")
                == [["s": 63.5, "a": .double(63.5 / 3)]])
        // Aggregates skip values of other types; with nothing to aggregate they are null.
        #expect(
            try await all("SELECT SUM(T.name) AS s, MIN(T.name) AS lo, MAX(T.name) AS hi, MAX(T.$dtId) AS id, MIN(T.labels) AS l FROM DIGITALTWINS T")
                == [["s": nil, "lo": "Fjord", "hi": "Thermostat", "id": "site", "l": nil]])
        #expect(try await all("SELECT SUM(T.capacity) AS s, COUNT() AS n FROM DIGITALTWINS T WHERE T.$dtId = 'nope'") == [["s": nil, "n": 0]])
    }

    @Test func groupBy() async throws {
        let (store, _) = try await QueryFixture.graph()
        let all = { (text: String) in try await QueryFixture.all(text, in: store) }
        #expect(
            try await all(
                "SELECT T.$metadata.$model AS model, COUNT() AS n FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1') GROUP BY T.$metadata.$model ORDER BY n DESC, model")
                == [
                    ["model": "dtmi:test:Level;1", "n": 3], ["model": "dtmi:test:Building;1", "n": 2], ["model": "dtmi:test:MeetingRoom;1", "n": 2],
                    ["model": "dtmi:test:Room;1", "n": 2], ["model": "dtmi:test:Site;1", "n": 1],
                ])
        #expect(
            try await all("SELECT T.unit, COUNT() FROM DIGITALTWINS T WHERE IS_DEFINED(T.unit) GROUP BY T.unit")
                == [["unit": "C", "COUNT": 2], ["unit": "ppm", "COUNT": 1]])
        // Twins without the property form one group, which leaves the key out.
        #expect(
            try await all("SELECT T.unit, COUNT() AS n FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Capability;1') GROUP BY T.unit")
                == [["n": 1], ["unit": "C", "n": 2], ["unit": "ppm", "n": 1]])
        #expect(
            try await all("SELECT T.level, COUNT() AS n FROM DIGITALTWINS T WHERE IS_DEFINED(T.level) GROUP BY T.level ORDER BY T.level DESC")
                == [["level": 2, "n": 1], ["level": 1, "n": 2]])
        #expect(
            try await all(
                "SELECT b.$dtId AS building, COUNT() AS rooms, SUM(r.capacity) AS seats FROM DIGITALTWINS MATCH (b)-[:hasPart*2]->(r) WHERE IS_OF_MODEL(b, 'dtmi:test:Building;1') GROUP BY b.$dtId ORDER BY seats DESC")
                == [["building": "b1", "rooms": 3, "seats": 62], ["building": "b2", "rooms": 1, "seats": 12]])
        #expect(
            try await all("SELECT r.$relationshipName AS name, COUNT() AS n FROM DIGITALTWINS MATCH (a)-[r]->(b) GROUP BY r.$relationshipName")
                == [["name": "hasCapability", "n": 4], ["name": "hasPart", "n": 9], ["name": "isPartOf", "n": 9], ["name": "locatedIn", "n": 5]])
        #expect(
            try await all(
                "SELECT T.$metadata.$model AS m, T.bookable AS b, COUNT() AS n FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Room;1') GROUP BY T.$metadata.$model, T.bookable ORDER BY COUNT() DESC")
                == [["m": "dtmi:test:Room;1", "n": 2], ["m": "dtmi:test:MeetingRoom;1", "b": false, "n": 1], ["m": "dtmi:test:MeetingRoom;1", "b": true, "n": 1]])
    }

    @Test func defaultOrder() async throws {
        let (store, _) = try await QueryFixture.graph()
        let ids = { (text: String) in try await QueryFixture.ids(text, in: store) }
        // By $dtId, which the (tenant, id) index yields without sorting.
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.name)") == ["b1", "b1-l1-r1", "b1-l1-r2", "b1-l2-r1", "b2", "b2-l1-r1", "dev-1", "site"])
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$dtId IN ['site', 'b2', 'b1']") == ["b1", "b2", "site"])
        #expect(try await ids("SELECT * FROM DIGITALTWINS") == QueryFixture.twins.map(\.id).sorted())
        // When the model pins the twins down: by model, then creation, as the (tenant, model) index yields them.
        #expect(
            try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1')")
                == ["b1", "b2", "b1-l1", "b1-l2", "b2-l1", "b1-l1-r2", "b2-l1-r1", "b1-l1-r1", "b1-l2-r1", "site"])
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$metadata.$model IN ['dtmi:test:Site;1', 'dtmi:test:Level;1']") == ["b1-l1", "b1-l2", "b2-l1", "site"])
        // Joined twins follow the anchor, in creation order.
        #expect(try await ids("SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE a.$dtId IN ['site', 'b2']") == ["b2-l1", "b1", "b2"])
        let plan = try await store.queryPlan("SELECT T FROM DIGITALTWINS T WHERE T.name = 'x'", in: tenant)
        #expect(plan == ["SEARCH t0 USING INDEX sqlite_autoindex_twin_1 (tenant=?)"])
        let modelPlan = try await store.queryPlan("SELECT T FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Space;1') AND T.name = 'x'", in: tenant)
        #expect(modelPlan == ["SEARCH t0 USING INDEX twin_by_model (tenant=? AND model=?)"])
    }

    @Test func orderBy() async throws {
        let (store, _) = try await QueryFixture.graph()
        let ids = { (text: String) in try await QueryFixture.ids(text, in: store) }
        let capacity = "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.capacity) ORDER BY T.capacity"
        #expect(try await ids(capacity) == ["b1-l2-r1", "b1-l1-r2", "b2-l1-r1", "b1-l1-r1"])
        #expect(try await ids(capacity + " DESC") == ["b1-l1-r1", "b2-l1-r1", "b1-l1-r2", "b1-l2-r1"])
        #expect(
            try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.name) ORDER BY T.name")
                == ["b1-l1-r2", "site", "b2-l1-r1", "b1-l1-r1", "b1", "b1-l2-r1", "b2", "dev-1"])
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.level) ORDER BY T.level DESC, T.$dtId") == ["b1-l2", "b1-l1", "b2-l1"])
        // Ties keep creation order.
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_DEFINED(T.level) ORDER BY T.level") == ["b1-l1", "b2-l1", "b1-l2"])
        #expect(try await ids("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:Level;1') ORDER BY T.$dtId DESC") == ["b2-l1", "b1-l2", "b1-l1"])
        #expect(
            try await QueryFixture.values("id", "SELECT T.$dtId AS id, T.capacity AS c FROM DIGITALTWINS T WHERE IS_DEFINED(T.capacity) ORDER BY c DESC", in: store)
                == ["b1-l1-r1", "b2-l1-r1", "b1-l1-r2", "b1-l2-r1"])
        #expect(
            try await ids("SELECT r.$dtId FROM DIGITALTWINS MATCH (b)-[:hasPart*2]->(r) WHERE b.$dtId = 'b1' ORDER BY r.capacity DESC")
                == ["b1-l1-r1", "b1-l1-r2", "b1-l2-r1"])
    }
}
