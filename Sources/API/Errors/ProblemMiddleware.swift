import Hummingbird
import Logging
import TwinModel

/// Turns every error thrown below it into problem JSON, so handlers just throw domain errors.
///
/// Unexpected errors become a 500 whose detail hides internals; the error itself goes to the log.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemDetails {
            throw problem
        } catch let error as TwinModelError {
            throw ProblemDetails(error)
        } catch let error as QueryError {
            throw ProblemDetails(
                status: .badRequest, type: "https://doppel.dev/problems/invalid-query", title: "Invalid Query", detail: error.description)
        } catch let error as HTTPError {
            throw ProblemDetails(
                status: error.status, type: "about:blank", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            // Hummingbird's and NIO's own errors (e.g. a body over the upload limit) carry their status.
            throw ProblemDetails(
                status: error.status, type: "about:blank", title: error.status.reasonPhrase,
                detail: error.status == .contentTooLarge ? "the request body is larger than \(context.maxUploadSize) bytes" : error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw ProblemDetails(
                status: .internalServerError, type: "about:blank", title: "Internal Server Error",
                detail: "the server could not complete the request; see its log")
        }
    }
}
