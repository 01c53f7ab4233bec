import Hummingbird
import Sync
import TwinModel

/// `/v1/rules`: streaming rules in DESIGN.md's format, checked before they are stored; errors name the
/// member at fault (`condition: at column 14: …`, `actions[2].url: …`).
struct RulesController {
    let store: TwinStore
    /// `nil` when the server runs without the engine: rules are stored but nothing evaluates them.
    let engine: RuleEngine?

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: list)
        group.put(":id", use: put)
        group.get(":id", use: get)
        group.delete(":id", use: delete)
    }

    /// 201 when new, 200 when replaced; the body is the rule with `watching`, the twins its scope selects now.
    @Sendable func put(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let id = try context.pathParameter("id")
        let document = try await request.jsonObject(context: context)
        let rule: Rule
        do {
            rule = try Rule.parse(id: id, document: document)
        } catch {
            throw ProblemDetails(
                status: .badRequest, type: "https://doppel.dev/problems/invalid-rule", title: "Bad Request", detail: error.description)
        }
        let watching: [String]
        do {
            watching = try await store.twinIDs(selectedBy: rule.scope, in: context.tenant, limit: RuleEngine.maximumScope)
        } catch let error as QueryError {
            throw ProblemDetails(
                status: .badRequest, type: "https://doppel.dev/problems/invalid-rule", title: "Bad Request", detail: "scope: \(error)")
        } catch let error as TwinModelError {
            throw ProblemDetails(
                status: .badRequest, type: "https://doppel.dev/problems/invalid-rule", title: "Bad Request", detail: "scope: \(error)")
        }
        let created = try await store.putRule(id, document: document, in: context.tenant)
        engine?.rulesChanged(in: context.tenant)
        guard let stored = try await store.rule(id, in: context.tenant) else { throw TwinModelError.ruleNotFound(id) }
        var body = Self.json(stored)
        body["watching"] = .int(Int64(watching.count))
        return .json(.object(body), status: created ? .created : .ok)
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        guard let stored = try await store.rule(id, in: context.tenant) else { throw TwinModelError.ruleNotFound(id) }
        return .json(.object(Self.json(stored)))
    }

    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(["value": .array(try await store.rules(in: context.tenant).map { .object(Self.json($0)) })])
    }

    /// 204; the rule's open alerts clear.
    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        try await store.deleteRule(try context.pathParameter("id"), in: context.tenant)
        engine?.rulesChanged(in: context.tenant)
        return .noContent()
    }

    static func json(_ rule: StoredRule) -> JSONObject {
        var body = rule.document
        body["id"] = .string(rule.id)
        body["createdAt"] = .string(rule.createdAt.iso8601)
        body["updatedAt"] = .string(rule.updatedAt.iso8601)
        return body
    }
}
