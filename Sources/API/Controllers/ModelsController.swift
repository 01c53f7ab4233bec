import Hummingbird
import TwinModel

/// `/v1/models`: upload arrays of DTDL interfaces, list, read and delete them.
///
/// Until the DTDL validator lands, an upload is checked for shape only: each interface is an object with
/// a DTMI `@id`.
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
        guard case .array(let interfaces) = try await request.json(context: context) else {
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
        let stored = try await store.addModels(models, in: context.tenant)
        return .json(.array(stored.map(Self.encode)), status: .created)
    }

    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(["value": .array(try await store.models(in: context.tenant).map(Self.encode))])
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("dtmi")
        guard let model = try await store.model(id, in: context.tenant) else { throw TwinModelError.modelNotFound(id) }
        return .json(Self.encode(model))
    }

    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        try await store.deleteModel(try context.pathParameter("dtmi"), in: context.tenant)
        return .noContent()
    }

    /// ADT's model shape: `{"id", "uploadTime", "decommissioned", "model"}`.
    static func encode(_ model: StoredModel) -> JSONValue {
        ["id": .string(model.id), "uploadTime": .string(model.uploadedAt.iso8601), "decommissioned": false, "model": model.body]
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
