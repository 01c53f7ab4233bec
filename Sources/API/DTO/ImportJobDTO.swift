import TwinModel

/// Import jobs on the wire.
enum ImportJobDTO {
    /// `{"id", "status", "dryRun", "submittedAt", "finishedAt"?, "summary"?, "error"?}`.
    static func encode(_ job: ImportJobs.Job) -> JSONValue {
        var object: JSONObject = [
            "id": .string(job.id), "status": .string(job.status.rawValue), "dryRun": .bool(job.dryRun),
            "submittedAt": .string(job.submittedAt.iso8601),
        ]
        if let finished = job.finishedAt { object["finishedAt"] = .string(finished.iso8601) }
        if let summary = job.summary {
            object["summary"] = [
                "modelsCreated": .int(Int64(summary.modelsCreated)), "twinsCreated": .int(Int64(summary.twinsCreated)),
                "twinsUpdated": .int(Int64(summary.twinsUpdated)), "relationshipsCreated": .int(Int64(summary.relationshipsCreated)),
                "relationshipsUpdated": .int(Int64(summary.relationshipsUpdated)),
                "warnings": .array(summary.warnings.map(JSONValue.string)),
            ]
        }
        if let error = job.error { object["error"] = .string(error) }
        return .object(object)
    }
}
