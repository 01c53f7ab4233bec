import Hummingbird
import TwinModel

/// `POST /v1/imports` and `GET /v1/imports/{id}`: building-model imports as background jobs.
struct ImportsController {
    let jobs: ImportJobs

    /// Import files may be far larger than other bodies.
    static let maximumBytes = 256 * 1024 * 1024

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(use: submit)
        group.get(":id", use: get)
    }

    /// Body: the file; `?format=adt-json|adt-ndjson|gbxml|brick` (detected when omitted), `?dryRun=true` to validate
    /// only. The file is parsed before the job is queued, so a malformed one is a 400 at once; 202 with the job.
    @Sendable func submit(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let buffer = try await request.collectBody(upTo: Self.maximumBytes)
        let bytes = Array(buffer.readableBytesView)
        let format: ModelFileFormat
        if let name = request.uri.queryParameters["format"] {
            guard let known = ModelFileFormat(rawValue: String(name)) else {
                throw ProblemDetails.badRequest("format must be one of \(ModelFileFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = known
        } else {
            guard let detected = ModelFileFormat.detect(bytes) else {
                throw ProblemDetails.badRequest("the body is not a known model file (ADT explorer JSON or bulk NDJSON, gbXML, Brick Turtle); give ?format=")
            }
            format = detected
        }
        let file = try ModelFileFormat.read(bytes, format: format, name: "body")
            .prefixingIDs(with: request.uri.queryParameters["idPrefix"].map(String.init) ?? "")
        if !file.models.isEmpty { _ = try context.require(.admin) }  // models are an admin's, as POST /v1/models
        let dryRun = request.uri.queryParameters["dryRun"] == "true"
        guard let job = await jobs.submit(file, tenant: context.tenant, changedBy: context.actor, dryRun: dryRun) else {
            throw ProblemDetails(
                status: .serviceUnavailable, type: "https://doppel.dev/problems/import-queue-full", title: "Service Unavailable",
                detail: "\(ImportJobs.maximumPending) imports are already waiting; submit again when one has finished")
        }
        return .json(ImportJobDTO.encode(job), status: .accepted)
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        guard let job = await jobs.job(id, tenant: context.tenant) else {
            throw ProblemDetails(status: .notFound, type: "https://doppel.dev/problems/not-found", title: "Not Found", detail: "import \"\(id)\" not found")
        }
        return .json(ImportJobDTO.encode(job))
    }
}
