import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TwinModel

/// Pages through `POST /v1/query` on a running server.
struct QueryClient {
    let server: String
    let token: String?
    /// Sent as `X-Doppel-Tenant` when given; only admins of the default tenant may use another.
    var tenant: String?

    func run(_ text: String) async throws -> [JSONValue] {
        guard let url = URL(string: server.hasSuffix("/") ? server + "v1/query" : server + "/v1/query") else {
            throw CommandError("--server \(server) is not a URL")
        }
        var items: [JSONValue] = []
        var continuation: JSONValue = .null
        repeat {
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if let tenant { request.setValue(tenant, forHTTPHeaderField: "X-Doppel-Tenant") }
            let body: JSONValue = ["query": .string(text), "continuationToken": continuation]
            request.httpBody = Data(body.encoded())
            let (data, response) = try await URLSession.shared.data(for: request)
            let document = try JSONParser().parse(data)
            guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
                throw CommandError("\(server): \(document["detail"]?.stringValue ?? document.description)")
            }
            items += document["value"]?.arrayValue ?? []
            continuation = document["continuationToken"] ?? .null
        } while !continuation.isNull
        return items
    }
}
