import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TwinModel

/// Calls a running Doppel's HTTP API for the commands that take `--server`.
struct DoppelClient {
    let server: String
    let token: String?
    /// Sent as `X-Doppel-Tenant` when given; only admins of the default tenant may use another.
    var tenant: String?

    /// Sends one request; a non-2xx answer becomes an error carrying the problem's detail.
    func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> JSONValue {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: base + path) else { throw CommandError("--server \(server) is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let tenant { request.setValue(tenant, forHTTPHeaderField: "X-Doppel-Tenant") }
        if let body {
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let document = try JSONParser().parse(data)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw CommandError("\(server): \(document["detail"]?.stringValue ?? document.description)")
        }
        return document
    }

    /// A text resource, such as `/metrics`.
    func text(_ path: String) async throws -> String {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: base + path) else { throw CommandError("--server \(server) is not a URL") }
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    /// Pages through `POST /v1/query`.
    func query(_ text: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var continuation: JSONValue = .null
        repeat {
            let page = try await send("POST", "/v1/query", body: JSONValue.object(["query": .string(text), "continuationToken": continuation]).encoded())
            items += page["value"]?.arrayValue ?? []
            continuation = page["continuationToken"] ?? .null
        } while !continuation.isNull
        return items
    }

    /// Submits an import to `POST /v1/imports` and waits for its job to finish.
    func importFile(_ body: [UInt8], format: String, dryRun: Bool) async throws -> ImportSummary {
        var job = try await send("POST", "/v1/imports?format=\(format)&dryRun=\(dryRun)", body: body, contentType: "application/x-ndjson")
        while true {
            switch job["status"]?.stringValue {
            case "succeeded":
                let summary = job["summary"]
                var result = ImportSummary()
                result.modelsCreated = Int(summary?["modelsCreated"]?.intValue ?? 0)
                result.twinsCreated = Int(summary?["twinsCreated"]?.intValue ?? 0)
                result.twinsUpdated = Int(summary?["twinsUpdated"]?.intValue ?? 0)
                result.relationshipsCreated = Int(summary?["relationshipsCreated"]?.intValue ?? 0)
                result.relationshipsUpdated = Int(summary?["relationshipsUpdated"]?.intValue ?? 0)
                return result
            case "failed":
                throw CommandError(job["error"]?.stringValue ?? "the import failed")
            default:
                guard let id = job["id"]?.stringValue else { throw CommandError("\(server): the import has no id") }
                try await Task.sleep(for: .milliseconds(200))
                job = try await send("GET", "/v1/imports/\(id)")
            }
        }
    }
}
