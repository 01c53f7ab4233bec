import Hummingbird
import TwinModel

/// `/v1/models`: upload arrays of DTDL interfaces, list, read and delete them.
///
/// An upload is validated as DTDL v2 / v3 together with the tenant's stored models, so it may extend and
/// reference them; references to models nobody has uploaded yet are allowed (lenient mode).
struct ModelsController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(use: upload)
        group.get(use: list)
        group.get(":dtmi", use: get)
        group.delete(":dtmi", use: delete)
    }

    @Sendable func upload(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let body = try await request.json(context: context)
        guard case .array(let interfaces) = body else {
            throw ProblemDetails.badRequest("the body must be a JSON array of DTDL interfaces")
        }
        var models: [(id: String, body: JSONValue)] = []
        for (index, interface) in interfaces.enumerated() {
            guard let id = interface["@id"]?.stringValue else {
                throw ProblemDetails.badRequest("interface \(index) has no string @id")
            }
            guard Self.isDTMI(id) else {
                throw ProblemDetails.badRequest("interface \(index): \"\(id)\" is not a DTMI (dtmi:<segments>;<version>)")
            }
            models.append((id, interface))
        }
        try await validate(body, tenant: context.tenant)
        let stored = try await store.addModels(models, in: context.tenant)
        return .json(.array(stored.map(ModelDTO.encode)), status: .created)
    }

    /// Refuses the upload with every DTDL problem found in it (JSON path into the body and why).
    private func validate(_ body: JSONValue, tenant: String) async throws {
        let stored = try await store.models(in: tenant)
        // An id stored already or named twice is the store's 412, not a DTDL error.
        var seen = Set(stored.map(\.id))
        for id in body.arrayValue?.compactMap({ $0["@id"]?.stringValue }) ?? [] where !seen.insert(id).inserted {
            throw TwinModelError.modelAlreadyExists(id)
        }
        var documents = stored.map { (name: "stored:\($0.id)", bytes: $0.body.encoded()) }
        documents.append((name: "body", bytes: body.encoded()))
        do {
            _ = try DTDLModelSet.parse(documents: documents, mode: .lenient)
        } catch {
            let problems = error.errors.filter { $0.file == "body" }
            guard !problems.isEmpty else { return }  // models stored before validation existed are not the caller's problem
            throw ProblemDetails(
                status: .badRequest, type: "https://doppel.dev/problems/invalid-model", title: "Invalid Model",
                detail: problems.prefix(20).map { "\($0.path): \($0.message)" }.joined(separator: "; "))
        }
    }

    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(["value": .array(try await store.models(in: context.tenant).map(ModelDTO.encode))])
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("dtmi")
        guard let model = try await store.model(id, in: context.tenant) else { throw TwinModelError.modelNotFound(id) }
        return .json(ModelDTO.encode(model))
    }

    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        try await store.deleteModel(try context.pathParameter("dtmi"), in: context.tenant)
        return .noContent()
    }

    /// `dtmi:` then `:`-separated segments of letters, digits and `_`, then `;` and a version number.
    static func isDTMI(_ text: String) -> Bool {
        guard text.hasPrefix("dtmi:"), let semicolon = text.lastIndex(of: ";") else { return false }
        let path = text[text.index(text.startIndex, offsetBy: 5)..<semicolon]
        let version = text[text.index(after: semicolon)...]
        guard !version.isEmpty, version.allSatisfy(\.isASCIIDigit) else { return false }
        let segments = path.split(separator: ":", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { segment in
            guard let first = segment.first, first.isASCIILetter else { return false }
            return segment.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" } && segment.last != "_"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}
