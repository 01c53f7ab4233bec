import GRDB

/// Which models are, or extend, a given model: what `IS_OF_MODEL` matches without `exact`.
enum ModelHierarchy {
    /// For each of `models`, itself and every model of the tenant that extends it, directly or through
    /// others, by `extends` as a DTMI string, an array of them, or inline interfaces with an `@id`.
    static func subtypes(of models: Set<String>, tenant: String, in db: Database) throws -> [String: [String]] {
        guard !models.isEmpty else { return [:] }
        let statement = try db.cachedStatement(
            sql: """
                WITH RECURSIVE edge(child, parent) AS MATERIALIZED (
                    SELECT m.id, CASE e.type WHEN 'object' THEN json_extract(e.value, '$."@id"') ELSE e.value END
                    FROM model m, json_each(m.body, '$.extends') e
                    WHERE m.tenant = ?
                ),
                sub(id) AS (SELECT ? UNION SELECT edge.child FROM edge JOIN sub ON edge.parent = sub.id)
                SELECT id FROM sub ORDER BY id
                """)
        var result: [String: [String]] = [:]
        for model in models {
            result[model] = try String.fetchAll(statement, arguments: [tenant, model])
        }
        return result
    }
}

extension Query {
    /// The models named by `IS_OF_MODEL` without `exact`, whose subtypes compiling needs.
    var modelReferences: Set<String> {
        var models = Set<String>()
        func visit(_ expression: QueryExpression) {
            switch expression {
            case .isOfModel(_, let model, false, _): models.insert(model)
            case .and(let left, let right, _), .or(let left, let right, _), .comparison(let left, _, let right, _):
                visit(left)
                visit(right)
            case .not(let operand, _): visit(operand)
            default: break
            }
        }
        if let filter { visit(filter) }
        return models
    }
}
