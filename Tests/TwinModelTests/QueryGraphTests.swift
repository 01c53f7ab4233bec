import Testing
@testable import TwinModel

/// `JOIN … RELATED` chains and `MATCH` patterns: directions, names, hop ranges, anchors and plans.
@Suite("Query graph")
struct QueryGraphTests {
    static let rooms = ["b1-l1-r1", "b1-l1-r2", "b1-l2-r1", "b2-l1-r1"]
    let tenant = QueryFixture.tenant

    /// Checks each query returns exactly these `$dtId`s, in order.
    func check(_ cases: KeyValuePairs<String, [String]>, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (store, _) = try await QueryFixture.graph()
        for (query, expected) in cases {
            let ids = try await QueryFixture.all(query, in: store).map { $0.objectValue?.values.first?.stringValue ?? "?" }
            #expect(ids == expected, "\(query)", sourceLocation: sourceLocation)
        }
    }

    func twin(_ id: String, in store: TwinStore) async throws -> JSONValue {
        QueryFixture.adtJSON(try #require(try await store.twin(id, in: tenant)))
    }

    @Test func joinReturnsBothCollections() async throws {
        let (store, _) = try await QueryFixture.graph()
        let items = try await QueryFixture.all("SELECT B, L FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1'", in: store)
        let b1 = try await twin("b1", in: store)
        #expect(items == [["B": b1, "L": try await twin("b1-l1", in: store)], ["B": b1, "L": try await twin("b1-l2", in: store)]])
    }

    @Test func joinRelationshipAlias() async throws {
        let (store, _) = try await QueryFixture.graph()
        let relationship = try #require(try await store.relationship("site-hasPart-b2", of: "site", in: tenant))
        let expected: JSONValue = [
            "$relationshipId": "site-hasPart-b2", "$sourceId": "site", "$targetId": "b2", "$relationshipName": "hasPart",
            "$etag": .string(relationship.etag), "order": 2,
        ]
        let items = try await QueryFixture.all("SELECT R FROM DIGITALTWINS S JOIN B RELATED S.hasPart R WHERE S.$dtId = 'site' AND R.order = 2", in: store)
        #expect(items == [["R": expected]])
        let prefix = "SELECT B.$dtId FROM DIGITALTWINS S JOIN B RELATED S.hasPart R WHERE S.$dtId = 'site' AND "
        try await check([
            prefix + "R.$relationshipId = 'site-hasPart-b1'": ["b1"],
            prefix + "R.$targetId = 'b2'": ["b2"],
            prefix + "R.$sourceId = 'site'": ["b1", "b2"],
            prefix + "R.$relationshipName = 'hasPart'": ["b1", "b2"],
            prefix + "R.$etag = '\(relationship.etag)'": ["b2"],
            prefix + "R.$etag != '\(relationship.etag)'": ["b1"],
            prefix + "R.$etag = 'W/\"zz-1\"'": [],
            prefix + "R.order >= 1": ["b1", "b2"],
            prefix + "IS_DEFINED(R.nothing)": [],
        ])
    }

    @Test func joins() async throws {
        try await check([
            "SELECT L.$dtId AS level FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1' AND L.level > 1": ["b1-l2"],
            "SELECT Rm.$dtId FROM DIGITALTWINS S JOIN B RELATED S.hasPart JOIN L RELATED B.hasPart JOIN Rm RELATED L.hasPart WHERE S.$dtId = 'site' AND Rm.capacity > 5":
                ["b1-l1-r1", "b1-l1-r2", "b2-l1-r1"],
            // Five joins, the limit: site → building → level → room → sensor → the room it is located in.
            "SELECT X.$dtId FROM DIGITALTWINS S JOIN B RELATED S.hasPart JOIN L RELATED B.hasPart JOIN Rm RELATED L.hasPart JOIN Sn RELATED Rm.hasCapability JOIN X RELATED Sn.locatedIn WHERE S.$dtId = 'site'":
                Self.rooms,
            // Anchored on the joined collection: the statement starts there and walks back.
            "SELECT B.$dtId FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE L.$dtId = 'b2-l1'": ["b2"],
            "SELECT L.$dtId FROM DIGITALTWINS B JOIN L RELATED B.isPartOf WHERE B.$dtId = 'b1'": ["site"],
            "SELECT L.$dtId FROM DIGITALTWINS B JOIN L RELATED B.nothing WHERE B.$dtId = 'b1'": [],
            "SELECT L.$dtId FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1-l1-r1'": [],
        ])
        let (store, _) = try await QueryFixture.graph()
        let branching = try await QueryFixture.all(
            "SELECT Rm.$dtId AS room, Sn.$dtId AS sensor, L.$dtId AS level FROM DIGITALTWINS Rm JOIN Sn RELATED Rm.hasCapability JOIN L RELATED Rm.isPartOf WHERE Rm.$dtId IN ['b1-l1-r1', 'b2-l1-r1']",
            in: store)
        #expect(branching == [["room": "b1-l1-r1", "sensor": "s-t1", "level": "b1-l1"], ["room": "b2-l1-r1", "sensor": "s-t3", "level": "b2-l1"]])
    }

    @Test func matchDirectionsAndNames() async throws {
        try await check([
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE a.$dtId = 'b1'": ["b1-l1", "b1-l2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)<-[:hasPart]-(b) WHERE a.$dtId = 'b1-l1'": ["b1"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:isPartOf]-(b) WHERE a.$dtId = 'b1-l1'": ["b1", "b1-l1-r1", "b1-l1-r2"],
            // One row per relationship matched: both directions link b1-l1 to each neighbour.
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[]-(b) WHERE a.$dtId = 'b1-l1'": ["b1", "b1", "b1-l1-r1", "b1-l1-r1", "b1-l1-r2", "b1-l1-r2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE a.$dtId = 'b1-l2-r1'": ["b1-l2", "s-co2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:isPartOf|hasCapability]->(b) WHERE a.$dtId = 'b1-l2-r1'": ["b1-l2", "s-co2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)<-[:locatedIn|hasCapability]-(b) WHERE a.$dtId = 'b1-l2-r1'": ["s-co2", "dev-1"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:nothing|isPartOf]->(b) WHERE a.$dtId = 'b1-l2-r1'": ["b1-l2"],
            "SELECT s.$dtId FROM DIGITALTWINS MATCH (room)-[c:hasCapability]->(s) WHERE c.since = 2020 AND room.$dtId = 'b1-l1-r1'": ["s-t1"],
            // The anchor may be anywhere; a variable used twice is one twin.
            "SELECT a.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE b.$dtId = 'b1-l1'": ["b1"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b)-[:isPartOf]->(a) WHERE a.$dtId = 'b1'": ["b1-l1", "b1-l2"],
            "SELECT a.$dtId FROM DIGITALTWINS MATCH (a)": QueryFixture.twins.map(\.id).sorted(),
        ])
    }

    @Test func matchRelationshipVariables() async throws {
        let (store, _) = try await QueryFixture.graph()
        let relationship = try #require(try await store.relationship("site-hasPart-b2", of: "site", in: tenant))
        let expected: JSONValue = [
            "$relationshipId": "site-hasPart-b2", "$sourceId": "site", "$targetId": "b2", "$relationshipName": "hasPart",
            "$etag": .string(relationship.etag), "order": 2,
        ]
        #expect(
            try await QueryFixture.all("SELECT r FROM DIGITALTWINS MATCH (a)-[r:hasPart]->(b) WHERE a.$dtId = 'site' AND b.$dtId = 'b2'", in: store)
                == [["r": expected]])
        #expect(try await QueryFixture.all("SELECT r FROM DIGITALTWINS MATCH (b)<-[r:hasPart]-(a) WHERE b.$dtId = 'b2'", in: store) == [["r": expected]])
        #expect(
            try await QueryFixture.all(
                "SELECT r.$relationshipId AS id, r.$sourceId AS s, r.$targetId AS t FROM DIGITALTWINS MATCH (b)-[r:hasPart]-(x) WHERE b.$dtId = 'b2'",
                in: store)
                == [["id": "site-hasPart-b2", "s": "site", "t": "b2"], ["id": "b2-hasPart-b2-l1", "s": "b2", "t": "b2-l1"]])
        #expect(
            try await QueryFixture.all(
                "SELECT x.$dtId FROM DIGITALTWINS MATCH (b)-[r]-(x) WHERE b.$dtId = 'b2' AND r.$sourceId = 'b2' AND r.$relationshipName = 'isPartOf'", in: store)
                == [["$dtId": "site"]])
    }

    @Test func hops() async throws {
        let from = { (edge: String) in "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)\(edge)(b) WHERE a.$dtId = 'site'" }
        try await check([
            from("-[:hasPart*2]->"): ["b1-l1", "b1-l2", "b2-l1"],
            from("-[:hasPart*3]->"): Self.rooms,
            from("-[:hasPart*4]->"): [],
            from("-[:hasPart*..2]->"): ["b1", "b2", "b1-l1", "b1-l2", "b2-l1"],
            // ADT's lower bound is exclusive: *1..3 is two or three hops.
            from("-[:hasPart*1..3]->"): ["b1-l1", "b1-l2", "b2-l1"] + Self.rooms,
            from("-[:hasPart*2..3]->"): Self.rooms,
            from("-[:hasPart*0..1]->"): ["b1", "b2"],
            from("-[:hasPart*..10]->"): ["b1", "b2", "b1-l1", "b1-l2", "b2-l1"] + Self.rooms,
            from("-[:hasPart*9..10]->"): [],
            // Any name: site → building → (its levels, or back to site over isPartOf); each twin once.
            from("-[*2]->"): ["site", "b1-l1", "b1-l2", "b2-l1"],
            from("<-[:isPartOf*2]-"): ["b1-l1", "b1-l2", "b2-l1"],
            from("<-[:isPartOf*..3]-"): ["b1", "b2", "b1-l1", "b1-l2", "b2-l1"] + Self.rooms,
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:isPartOf*..3]->(b) WHERE a.$dtId = 'b1-l1-r1'": ["site", "b1", "b1-l1"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)<-[:hasPart*..3]-(b) WHERE a.$dtId = 'b2-l1-r1'": ["site", "b2", "b2-l1"],
            // Anchored at the far end: the walk starts there and runs against the arrows.
            "SELECT a.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*..3]->(r) WHERE r.$dtId = 'b2-l1-r1'": ["site", "b2", "b2-l1"],
            "SELECT a.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*3]->(r) WHERE r.$dtId = 'b2-l1-r1'": ["site"],
        ])
    }

    @Test func undirectedHopsWalk() async throws {
        // Walks may turn back, so b1-l1 is two hops from itself (down to a room and up again).
        try await check([
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*2]-(b) WHERE a.$dtId = 'b1-l1'": ["site", "b1-l1", "b1-l2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*..2]-(b) WHERE a.$dtId = 'b1-l1'": ["site", "b1", "b1-l1", "b1-l2", "b1-l1-r1", "b1-l1-r2"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*1..2]-(b) WHERE a.$dtId = 'b1-l1-r1'": ["b1", "b1-l1-r1", "b1-l1-r2"],
        ])
    }

    @Test func chains() async throws {
        let (store, _) = try await QueryFixture.graph()
        let sensors = try await QueryFixture.all(
            "SELECT b.$dtId AS building, sensor.$dtId AS sensor FROM DIGITALTWINS MATCH (s)-[:hasPart]->(b)-[:hasPart*2]->(r)<-[:locatedIn]-(sensor) WHERE s.$dtId = 'site' AND sensor.temperature > 20",
            in: store)
        #expect(sensors == [["building": "b1", "sensor": "s-t1"], ["building": "b1", "sensor": "s-t2"]])
        let middle = try await QueryFixture.all(
            "SELECT s.$dtId AS s, r.$dtId AS r FROM DIGITALTWINS MATCH (s)-[:hasPart*..2]->(l)-[:hasPart]->(r) WHERE l.$dtId = 'b1-l1'", in: store)
        #expect(middle == [["s": "site", "r": "b1-l1-r1"], ["s": "site", "r": "b1-l1-r2"], ["s": "b1", "r": "b1-l1-r1"], ["s": "b1", "r": "b1-l1-r2"]])
        try await check([
            "SELECT y.$dtId FROM DIGITALTWINS MATCH (s)-[:hasPart*..2]->(x)-[:hasPart*2]->(y) WHERE s.$dtId = 'site'": Self.rooms,
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*2]->(b)-[:isPartOf*2]->(a) WHERE a.$dtId = 'b1'": ["b1-l1-r1", "b1-l1-r2", "b1-l2-r1"],
            "SELECT b.$dtId FROM DIGITALTWINS MATCH (a)-[:hasPart*2]->(b)-[:isPartOf*2]->(a) WHERE a.$dtId = 'b1-l1'": [],
        ])
        #expect(try await QueryFixture.all("SELECT COUNT() FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b)", in: store) == [["COUNT": 9]])
        #expect(try await QueryFixture.all("SELECT COUNT() FROM DIGITALTWINS MATCH (a)-[:hasPart*..3]->(b)", in: store) == [["COUNT": 20]])
        #expect(try await QueryFixture.all("SELECT COUNT() FROM DIGITALTWINS MATCH (a)-[:hasPart*3]->(b)", in: store) == [["COUNT": 4]])
    }

    @Test func anchoredPlansUseTheIndexes() async throws {
        let (store, _) = try await QueryFixture.graph()
        let join = try await store.queryPlan("SELECT L FROM DIGITALTWINS B JOIN L RELATED B.hasPart WHERE B.$dtId = 'b1'", in: tenant)
        #expect(Array(join.prefix(3)) == [
            "SEARCH t0 USING COVERING INDEX sqlite_autoindex_twin_1 (tenant=? AND id=?)",
            "SEARCH r0 USING COVERING INDEX relationship_by_source (source=? AND name=?)",
            "SEARCH t1 USING INTEGER PRIMARY KEY (rowid=?)",
        ])
        let reverse = try await store.queryPlan("SELECT a FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b) WHERE b.$dtId = 'b1-l1' AND a.name = 'North'", in: tenant)
        #expect(Array(reverse.prefix(3)) == [
            "SEARCH t1 USING COVERING INDEX sqlite_autoindex_twin_1 (tenant=? AND id=?)",
            "SEARCH r0 USING COVERING INDEX relationship_by_target (target=? AND name=?)",
            "SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)",
        ])
        for text in [
            "SELECT b FROM DIGITALTWINS MATCH (a)-[:hasPart*..5]->(b) WHERE a.$dtId = 'site'",
            "SELECT a FROM DIGITALTWINS MATCH (a)-[:hasPart*..5]->(b) WHERE b.$dtId = 'b1-l1-r1'",
            "SELECT b FROM DIGITALTWINS MATCH (a)-[:hasPart*3]->(b) WHERE a.$dtId = 'site'",
            "SELECT b FROM DIGITALTWINS MATCH (a)-[:hasPart*..3]-(b) WHERE a.$dtId = 'site'",
            "SELECT c FROM DIGITALTWINS MATCH (a)-[:hasPart]->(b)-[:hasPart*..3]->(c) WHERE a.$dtId = 'site'",
            "SELECT c FROM DIGITALTWINS MATCH (a)-[:hasPart*..2]->(b)-[]-(c) WHERE b.$dtId = 'b1' AND IS_OF_MODEL(c, 'dtmi:test:Level;1')",
        ] {
            let plan = try await store.queryPlan(text, in: tenant)
            // No twin is read by a scan, or by the tenant prefix of an index: everything hangs off the anchor.
            let scans = plan.filter { $0.hasPrefix("SCAN t") || $0.hasSuffix("(tenant=?)") }
            #expect(scans.isEmpty, "\(text): \(plan)")
            #expect(plan.contains { $0.contains("sqlite_autoindex_twin_1 (tenant=? AND id=?)") }, "\(text): \(plan)")
            #expect(plan.contains { $0.contains("relationship_by_") }, "\(text): \(plan)")
        }
    }
}
