@testable import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TwinModel

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() async throws {
        try await HealthRoutesTests.withStore { store in
            let router = buildRouter(store: store)
            let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
            let documented = Set(APIOperation.all.map { "\($0.method) \($0.path)" })
            #expect(registered.subtracting(documented).sorted() == [], "routes missing from the OpenAPI document")
            #expect(documented.subtracting(registered).sorted() == [], "documented routes the router does not have")
            #expect(registered.count == APIOperation.all.count)
        }
    }

    @Test func servedOpenWithEveryPathAndSchemaReference() async throws {
        try await HealthRoutesTests.withStore { store in
            let app = Application(router: buildRouter(store: store))
            try await app.test(.router) { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    let document = try JSONValue(parsing: Array(buffer: response.body))
                    #expect(document["openapi"] == "3.1.0")
                    let paths = try #require(document["paths"]?.objectValue)
                    #expect(paths.keys.contains("/v1/twins/{id}"))
                    let schemas = try #require(document["components"]?["schemas"]?.objectValue)
                    // Every $ref points at a schema that exists.
                    for reference in Self.references(in: document) {
                        let name = String(reference.dropFirst("#/components/schemas/".count))
                        #expect(schemas[name] != nil, "dangling reference \(reference)")
                    }
                    // Every operation with a role documents 401 and 403.
                    let put = try #require(paths["/v1/twins/{id}"]?["put"])
                    #expect(put["responses"]?["401"] != nil && put["responses"]?["403"] != nil)
                    #expect(put["x-doppel-role"] == "operator")
                }
            }
        }
    }

    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let object):
            var found: [String] = []
            for (key, member) in object {
                if key == "$ref", let text = member.stringValue { found.append(text) } else { found += references(in: member) }
            }
            return found
        case .array(let elements): return elements.flatMap(references)
        default: return []
        }
    }
}
