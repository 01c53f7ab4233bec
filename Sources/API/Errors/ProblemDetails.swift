import Foundation
import Hummingbird
import TwinModel

/// An RFC 9457 problem document (`application/problem+json`), the body of every error the API returns.
public struct ProblemDetails: HTTPResponseError, Sendable, Equatable {
    /// A URI naming the kind of problem.
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    /// What exactly went wrong with this request.
    public var detail: String

    public init(status: HTTPResponse.Status, type: String, title: String, detail: String) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
    }

    /// The problem JSON media type.
    public static let mediaType = "application/problem+json"

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = [
            "type": .string(type),
            "title": .string(title),
            "status": .int(Int64(status.code)),
            "detail": .string(detail),
        ]
        var headers = HTTPFields()
        headers[.contentType] = Self.mediaType
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="doppel""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }
}

extension ProblemDetails {
    /// The problem for a domain error, with the HTTP status it maps to.
    public init(_ error: TwinModelError) {
        let (status, slug): (HTTPResponse.Status, String) =
            switch error {
            case .invalidKey, .tooDeep, .stringTooLong, .nullValue, .notAnObject, .invalidImport, .invalidJSON, .invalidPatch, .invalidIdentifier,
                .unknownDesiredKey:
                (.badRequest, "invalid-document")
            case .sectionTooLarge: (.contentTooLarge, "document-too-large")
            case .tenantNotFound, .twinNotFound, .relationshipNotFound, .modelNotFound, .deviceNotFound, .commandNotFound, .ruleNotFound, .alertNotFound:
                (.notFound, "not-found")
            case .alertNotOpen: (.conflict, "alert-not-open")
            case .invalidSelection: (.badRequest, "invalid-selection")
            case .commandQueueFull: (.tooManyRequests, "command-queue-full")
            case .messageQueueFull: (.tooManyRequests, "message-queue-full")
            case .twinAlreadyExists, .relationshipAlreadyExists, .modelAlreadyExists: (.preconditionFailed, "already-exists")
            case .preconditionFailed: (.preconditionFailed, "precondition-failed")
            case .twinHasRelationships: (.conflict, "relationships-not-deleted")
            case .relationshipLimitExceeded: (.conflict, "relationship-limit")
            case .modelViolation: (.badRequest, "model-violation")
            case .modelInUse: (.conflict, "model-in-use")
            case .invalidCredential: (.badRequest, "invalid-credential")
            }
        self.init(status: status, type: "https://doppel.dev/problems/\(slug)", title: status.reasonPhrase, detail: error.description)
    }
}
