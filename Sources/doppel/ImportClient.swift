import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TwinModel

/// Sends an import to `POST /v1/imports` and waits for its job to finish.
struct ImportClient {
    let server: String
    let token: String?

    func run(_ body: [UInt8], format: ADTGraphFile.Format, dryRun: Bool) async throws -> ImportSummary {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        var created = try await send("POST", "\(base)/v1/imports?format=\(format.rawValue)&dryRun=\(dryRun)", body: body)
        while true {
            switch created["status"]?.stringValue {
            case "succeeded":
                let summary = created["summary"]
                return ImportSummary(
                    modelsCreated: summary?["modelsCreated"]?.intValue, twinsCreated: summary?["twinsCreated"]?.intValue,
                    twinsUpdated: summary?["twinsUpdated"]?.intValue, relationshipsCreated: summary?["relationshipsCreated"]?.intValue,
                    relationshipsUpdated: summary?["relationshipsUpdated"]?.intValue)
            case "failed":
                throw CommandError(created["error"]?.stringValue ?? "the import failed")
            default:
                try await Task.sleep(for: .milliseconds(200))
                guard let id = created["id"]?.stringValue else { throw CommandError("\(server): the import has no id") }
                created = try await send("GET", "\(base)/v1/imports/\(id)", body: nil)
            }
        }
    }

    private func send(_ method: String, _ address: String, body: [UInt8]?) async throws -> JSONValue {
        guard let url = URL(string: address) else { throw CommandError("--server \(server) is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let document = try JSONParser().parse(data)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw CommandError("\(server): \(document["detail"]?.stringValue ?? document.description)")
        }
        return document
    }
}

extension ImportSummary {
    init(modelsCreated: Int64?, twinsCreated: Int64?, twinsUpdated: Int64?, relationshipsCreated: Int64?, relationshipsUpdated: Int64?) {
        self.init()
        self.modelsCreated = Int(modelsCreated ?? 0)
        self.twinsCreated = Int(twinsCreated ?? 0)
        self.twinsUpdated = Int(twinsUpdated ?? 0)
        self.relationshipsCreated = Int(relationshipsCreated ?? 0)
        self.relationshipsUpdated = Int(relationshipsUpdated ?? 0)
    }
}
