import GRDB
import Logging
import Testing
@testable import TwinModel

/// A small building graph for query tests, in the default tenant, plus a second tenant reusing its ids.
///
/// ```
/// site ─hasPart→ b1 ─hasPart→ b1-l1 ─hasPart→ b1-l1-r1 (Room)          ←locatedIn─ s-t1  (hasCapability from the room)
///   │                │                 └hasPart→ b1-l1-r2 (MeetingRoom)  ←locatedIn─ s-t2
///   │                └hasPart→ b1-l2 ─hasPart→ b1-l2-r1 (Room)          ←locatedIn─ s-co2, dev-1
///   └hasPart→ b2 ─hasPart→ b2-l1 ─hasPart→ b2-l1-r1 (MeetingRoom)        ←locatedIn─ s-t3
/// ```
/// Every `hasPart` has its inverse `isPartOf`; twins are created in the order listed in `twins`.
enum QueryFixture {
    static let tenant = TwinStore.defaultTenant
    static let other = "acme"

    static func model(_ name: String, extends: JSONValue? = nil) -> (id: String, body: JSONValue) {
        var body: JSONObject = ["@id": .string("dtmi:test:\(name);1"), "@type": "Interface", "@context": "dtmi:dtdl:context;3"]
        if let extends { body["extends"] = extends }
        return ("dtmi:test:\(name);1", .object(body))
    }

    static let models = [
        model("Space"), model("Site", extends: "dtmi:test:Space;1"), model("Building", extends: "dtmi:test:Space;1"),
        model("Level", extends: ["dtmi:test:Space;1"]), model("Room", extends: "dtmi:test:Space;1"), model("Bookable"),
        model("MeetingRoom", extends: ["dtmi:test:Room;1", "dtmi:test:Bookable;1"]), model("Capability"),
        model("Sensor", extends: "dtmi:test:Capability;1"), model("TemperatureSensor", extends: "dtmi:test:Sensor;1"), model("Device"),
    ]

    static let twins: [(id: String, model: String, properties: JSONObject)] = [
        ("site", "Site", ["name": "HQ", "area": 10000]),
        ("b1", "Building", ["name": "North", "floors": 2, "address": ["city": "Oslo", "zip": "0150"]]),
        ("b2", "Building", ["name": "South", "floors": 1, "address": ["city": "Bergen"], "tags": ["legacy"]]),
        ("b1-l1", "Level", ["level": 1]),
        ("b1-l2", "Level", ["level": 2]),
        ("b2-l1", "Level", ["level": 1]),
        ("b1-l1-r1", "Room", ["name": "Lobby", "capacity": 50, "labels": ["public", "ground", 7, true]]),
        ("b1-l1-r2", "MeetingRoom", ["name": "Fjord", "capacity": 8, "bookable": true]),
        ("b1-l2-r1", "Room", ["name": "Office 201", "capacity": 4]),
        ("b2-l1-r1", "MeetingRoom", ["name": "Harbour", "capacity": 12, "bookable": false]),
        ("s-t1", "TemperatureSensor", ["unit": "C", "temperature": 21.5]),
        ("s-t2", "TemperatureSensor", ["unit": "C", "temperature": 23]),
        ("s-co2", "Sensor", ["unit": "ppm", "co2": 600, "flags": [1, "x", nil]]),
        ("s-t3", "TemperatureSensor", ["temperature": 19.0]),
        ("dev-1", "Device", ["name": "Thermostat", "odd": ["a.b": 1, "x]": 2, "back\\slash": 3, "sp ace": 4, "é": 5]]),
    ]

    static let parts: [(parent: String, child: String)] = [
        ("site", "b1"), ("site", "b2"), ("b1", "b1-l1"), ("b1", "b1-l2"), ("b2", "b2-l1"),
        ("b1-l1", "b1-l1-r1"), ("b1-l1", "b1-l1-r2"), ("b1-l2", "b1-l2-r1"), ("b2-l1", "b2-l1-r1"),
    ]

    static let locations: [(device: String, room: String)] = [
        ("s-t1", "b1-l1-r1"), ("s-t2", "b1-l1-r2"), ("s-co2", "b1-l2-r1"), ("s-t3", "b2-l1-r1"), ("dev-1", "b1-l2-r1"),
    ]

    /// The store with the graph loaded, and its queue for direct SQL checks.
    static func graph() async throws -> (store: TwinStore, queue: DatabaseQueue) {
        let queue = try DatabaseQueue()
        let store = try TwinStore(writer: queue, logger: Logger(label: "t"))
        _ = try await store.addModels(models, in: tenant)
        for twin in twins {
            try await store.putTwin(twin.id, model: "dtmi:test:\(twin.model);1", properties: twin.properties, in: tenant, changedBy: "test")
        }
        for (index, part) in parts.enumerated() {
            try await store.putRelationship(
                "\(part.parent)-hasPart-\(part.child)", from: part.parent, to: part.child, name: "hasPart",
                properties: part.parent == "site" ? ["order": .int(Int64(index + 1))] : [:], in: tenant)
            try await store.putRelationship("\(part.child)-isPartOf", from: part.child, to: part.parent, name: "isPartOf", in: tenant)
        }
        for location in locations {
            try await store.putRelationship("\(location.device)-locatedIn", from: location.device, to: location.room, name: "locatedIn", in: tenant)
            if location.device != "dev-1" {
                try await store.putRelationship(
                    "\(location.room)-has-\(location.device)", from: location.room, to: location.device, name: "hasCapability",
                    properties: ["since": 2020], in: tenant)
            }
        }
        try await store.patchTwin("dev-1", section: .desired, with: .merge(["mode": "eco", "setpoint": 20]), in: tenant, changedBy: "test")
        try await store.patchTwin(
            "dev-1", section: .reported, with: .merge(["mode": "comfort", "firmware": ["version": "1.2.0"]]), in: tenant, changedBy: "test")
        try await store.patchTwin("dev-1", section: .tags, with: .merge(["site": "HQ"]), in: tenant, changedBy: "test")

        // Another tenant with the same ids: none of it may ever show up in the default tenant.
        try await store.ensureTenant(other)
        _ = try await store.addModels([model("Building"), model("Space")], in: other)
        try await store.putTwin("b1", model: "dtmi:test:Building;1", properties: ["name": "Foreign", "capacity": 99], in: other, changedBy: "test")
        try await store.putTwin("x1", model: "dtmi:test:Space;1", properties: ["name": "Elsewhere"], in: other, changedBy: "test")
        try await store.putRelationship("r", from: "b1", to: "x1", name: "hasPart", in: other)
        return (store, queue)
    }

    /// All pages of a query.
    static func all(_ text: String, in store: TwinStore, tenant: String = tenant, limits: QueryLimits = .init()) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var token: String?
        repeat {
            let page = try await store.query(text, in: tenant, continuationToken: token, limits: limits)
            items += page.items
            token = page.continuationToken
        } while token != nil
        return items
    }

    /// The values of `key` in each item (items without it give `nil`).
    static func values(_ key: String, _ text: String, in store: TwinStore, tenant: String = tenant) async throws -> [JSONValue?] {
        try await all(text, in: store, tenant: tenant).map { $0[key] }
    }

    /// The `$dtId` of each item, where items are twins or objects with `$dtId`.
    static func ids(_ text: String, in store: TwinStore, tenant: String = tenant) async throws -> [String] {
        try await all(text, in: store, tenant: tenant).map { $0["$dtId"]?.stringValue ?? "?" }
    }

    /// The `QueryError` `body` throws, or `nil` (any other error fails the test).
    static func error<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async -> QueryError? {
        do {
            _ = try await body()
            Issue.record("expected a QueryError, got a result", sourceLocation: sourceLocation)
            return nil
        } catch let error as QueryError {
            return error
        } catch {
            Issue.record("expected a QueryError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The twin as the API shows it, to compare whole query items with.
    static func adtJSON(_ twin: Twin) -> JSONValue {
        var metadata: JSONObject = ["$model": twin.model.map(JSONValue.string) ?? .null]
        for key in twin.properties.value.keys {
            if let member = twin.properties.metadata.members[key] { metadata[key] = ["lastUpdateTime": .string(member.lastUpdated.iso8601)] }
        }
        var object: JSONObject = ["$dtId": .string(twin.id), "$etag": .string(twin.etag), "$metadata": .object(metadata)]
        for (key, value) in twin.properties.value { object[key] = value }
        return .object(object)
    }
}
