import Hummingbird
import HummingbirdTesting
import Testing
import TwinModel

/// The query path builds ADT twin JSON from SQL rows and the twins API from `Twin` values; they must agree.
@Suite("Query results and the twins API show a twin the same way")
struct QueryShapeRoutesTests {
    @Test func selectStarItemsEqualGetTwin() async throws {
        try await APISession.run { api in
            let body = #"{"$metadata": {"$model": "dtmi:example:Room;1"}, "name": "Room 1", "area": 12.5, "tags": {"a": [1, 2]}}"#
            #expect(try await api.send(.put, "/v1/twins/room-1", body: body).status == .created)
            let twin = try JSONValue(parsing: Array(buffer: try await api.send(.get, "/v1/twins/room-1").body))
            let query = #"{"query": "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-1'"}"#
            let page = try JSONValue(parsing: Array(buffer: try await api.send(.post, "/v1/query", body: query).body))
            let items = try #require(page["value"]?.arrayValue)
            #expect(items.count == 1)
            #expect(items.first?.isJSONEqual(to: twin) == true, "query: \(items.first ?? .null)\nGET: \(twin)")
        }
    }
}
