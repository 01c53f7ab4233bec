import GRDB

extension TwinStore {
    /// A tenant's models, twins (id, model, properties) and relationships, read in one transaction, in the
    /// shape imports take — so exporting and importing again is a round trip.
    public func exportGraph(in tenant: String) async throws -> ADTGraphFile {
        try await writer.read { db in
            try Self.requireTenant(tenant, in: db)
            var file = ADTGraphFile()
            file.models = try String.fetchAll(db, sql: "SELECT body FROM model WHERE tenant = ? ORDER BY id", arguments: [tenant])
                .map { try JSONParser().parse($0) }
            let twins = try Row.fetchCursor(db, sql: "SELECT id, model, properties FROM twin WHERE tenant = ? ORDER BY pk", arguments: [tenant])
            while let row = try twins.next() {
                file.graph.twins.append(ImportedTwin(id: row["id"], model: row["model"], properties: try TwinRow.object(row["properties"])))
            }
            let relationships = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.id, s.id AS source, t.id AS target, r.name, r.properties
                    FROM relationship r JOIN twin s ON s.pk = r.source JOIN twin t ON t.pk = r.target
                    WHERE r.tenant = ? ORDER BY r.pk
                    """,
                arguments: [tenant])
            while let row = try relationships.next() {
                file.graph.relationships.append(
                    ImportedRelationship(
                        id: row["id"], source: row["source"], target: row["target"], name: row["name"],
                        properties: try TwinRow.object(row["properties"])))
            }
            return file
        }
    }

    /// Imports a file's models (those not yet stored, as uploaded) and graph in one transaction.
    ///
    /// The file's models are validated as DTDL together with the tenant's stored ones (lenient: references
    /// to models nobody has uploaded are allowed); the first problem refuses the import.
    @discardableResult
    public func importFile(
        _ file: ADTGraphFile, in tenant: String, changedBy: String, at time: Timestamp = .now, dryRun: Bool = false,
        progress: ImportProgress? = nil
    ) async throws -> ImportSummary {
        var models: [(id: String, body: JSONValue)] = []
        for (index, model) in file.models.enumerated() {
            guard let id = model["@id"]?.stringValue else {
                throw TwinModelError.invalidImport(location: "models[\(index)]", reason: "a model needs a string @id")
            }
            models.append((id, model))
        }
        if !file.models.isEmpty {
            let stored = try await self.models(in: tenant).filter { model in !models.contains { $0.id == model.id } }
            var documents = stored.map { (name: "stored:\($0.id)", bytes: $0.body.encoded()) }
            documents.append((name: "models", bytes: JSONValue.array(file.models).encoded()))
            do {
                _ = try DTDLModelSet.parse(documents: documents, mode: .lenient)
            } catch {
                if let problem = error.errors.first(where: { $0.file == "models" }) {
                    throw TwinModelError.invalidImport(location: "models\(problem.path.dropFirst())", reason: problem.message)
                }
            }
        }
        var summary = try await importGraph(
            file.graph, in: tenant, changedBy: changedBy, at: time, models: models, dryRun: dryRun, progress: progress)
        summary.warnings = file.warnings
        return summary
    }
}
