import Foundation
import Hummingbird
import TwinModel

extension Request {
    /// The body parsed as JSON; problems are 400 with the line and column, or 413 past the size limit.
    mutating func json(context: DoppelRequestContext) async throws -> JSONValue {
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw ProblemDetails.badRequest("the request needs a JSON body")
        }
        do {
            return try JSONParser().parse(buffer.readableBytesView)
        } catch let error as JSONSyntaxError {
            throw TwinModelError.invalidJSON(error)
        }
    }

    /// The body as a JSON object, or 400 naming what it was instead.
    mutating func jsonObject(context: DoppelRequestContext) async throws -> JSONObject {
        let value = try await json(context: context)
        guard case .object(let object) = value else { throw TwinModelError.notAnObject(path: "body", found: value.typeName) }
        return object
    }

    /// The media type of the body, without parameters, lowercased.
    var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
    }
}

extension Response {
    /// A JSON response, with an `ETag` header when one is given.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, etag: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let etag { headers[.eTag] = etag }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    static func noContent() -> Response {
        Response(status: .noContent)
    }
}

extension ProblemDetails {
    static func badRequest(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .badRequest, type: "https://doppel.dev/problems/bad-request", title: "Bad Request", detail: detail)
    }
}

extension JSONObject {
    /// A member holding seconds, from 1 to `maximum`; `fallback` when absent.
    func seconds(_ name: String, default fallback: Double, maximum: Double) throws -> Double {
        guard let value = self[name] else { return fallback }
        guard let seconds = value.doubleValue, (1...maximum).contains(seconds) else {
            throw ProblemDetails.badRequest("\(name) must be a number from 1 to \(Int(maximum))")
        }
        return seconds
    }
}
