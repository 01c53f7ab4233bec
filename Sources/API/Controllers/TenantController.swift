import Hummingbird
import TwinModel

/// `GET /v1/tenant` and `PATCH /v1/tenant`: the calling tenant's settings.
struct TenantController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: show)
        group.patch(use: update)
    }

    @Sendable func show(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(try await settings(of: context.tenant))
    }

    /// Body `{"validation": "strict"|"lenient", "telemetry": {"rawRetention", "rollupRetention", "downsampling"}}`.
    /// Turning strict on checks the whole graph first and answers 400 naming the twins and relationships
    /// that don't match their models.
    @Sendable func update(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let body = try await request.jsonObject(context: context)
        for key in body.keys where key != "validation" && key != "telemetry" {
            throw ProblemDetails.badRequest("unknown setting \"\(key)\"; the settings are: validation, telemetry")
        }
        if let value = body["telemetry"] {
            let settings = try Self.telemetrySettings(value, current: try await store.telemetrySettings(of: context.tenant))
            try await store.setTelemetrySettings(settings, of: context.tenant)
        }
        if let value = body["validation"] {
            guard let raw = value.stringValue, let mode = ValidationMode(rawValue: raw) else {
                throw ProblemDetails.badRequest("validation must be \"strict\" or \"lenient\", found \(value.encodedString())")
            }
            try await store.setValidationMode(mode, of: context.tenant)
        }
        return .json(try await settings(of: context.tenant))
    }

    private func settings(of tenant: String) async throws -> JSONValue {
        let telemetry = try await store.telemetrySettings(of: tenant)
        return [
            "id": .string(tenant), "validation": .string(try await store.validationMode(of: tenant).rawValue),
            "telemetry": [
                "rawRetention": .string(DurationText.format(telemetry.rawRetention)),
                "rollupRetention": .string(DurationText.format(telemetry.rollupRetention)),
                "downsampling": .array(
                    telemetry.downsampling.map { rule in
                        var object: JSONObject = ["metric": .string(rule.metric)]
                        if let deadband = rule.deadband { object["deadband"] = .double(deadband) }
                        if let interval = rule.minimumInterval { object["minInterval"] = .string(DurationText.format(interval)) }
                        return .object(object)
                    }),
            ],
        ]
    }

    /// `{"rawRetention"?: "7d", "rollupRetention"?: "400d", "downsampling"?: [{"metric", "deadband"?, "minInterval"?}]}`
    /// over the current settings; errors name the member.
    static func telemetrySettings(_ value: JSONValue, current: TelemetrySettings) throws -> TelemetrySettings {
        guard case .object(let object) = value else { throw ProblemDetails.badRequest("telemetry must be an object") }
        var settings = current
        for (key, member) in object {
            switch key {
            case "rawRetention", "rollupRetention":
                guard let text = member.stringValue, let milliseconds = DurationText.milliseconds(text), milliseconds >= 60_000 else {
                    throw ProblemDetails.badRequest("telemetry.\(key) must be a duration of at least 1m, such as 7d")
                }
                if key == "rawRetention" { settings.rawRetention = milliseconds } else { settings.rollupRetention = milliseconds }
            case "downsampling":
                guard case .array(let items) = member, items.count <= 100 else {
                    throw ProblemDetails.badRequest("telemetry.downsampling must be an array of at most 100 rules")
                }
                settings.downsampling = try items.enumerated().map { index, item in
                    let path = "telemetry.downsampling[\(index)]"
                    guard case .object(let rule) = item, let metric = rule["metric"]?.stringValue, !metric.isEmpty else {
                        throw ProblemDetails.badRequest("\(path) must be an object with a metric (or \"*\")")
                    }
                    for name in rule.keys where !["metric", "deadband", "minInterval"].contains(name) {
                        throw ProblemDetails.badRequest("\(path).\(name) is unknown; a rule has metric, deadband and minInterval")
                    }
                    var parsed = DownsamplingRule(metric: metric)
                    if let deadband = rule["deadband"] {
                        guard let number = deadband.doubleValue, number >= 0 else { throw ProblemDetails.badRequest("\(path).deadband must be a number ≥ 0") }
                        parsed.deadband = number
                    }
                    if let interval = rule["minInterval"] {
                        guard let text = interval.stringValue, let milliseconds = DurationText.milliseconds(text) else {
                            throw ProblemDetails.badRequest("\(path).minInterval must be a duration such as 1m")
                        }
                        parsed.minimumInterval = milliseconds
                    }
                    guard parsed.deadband != nil || parsed.minimumInterval != nil else {
                        throw ProblemDetails.badRequest("\(path) needs a deadband, a minInterval or both")
                    }
                    return parsed
                }
            default:
                throw ProblemDetails.badRequest("telemetry.\(key) is unknown; telemetry has rawRetention, rollupRetention and downsampling")
            }
        }
        guard settings.rollupRetention >= settings.rawRetention else {
            throw ProblemDetails.badRequest("telemetry.rollupRetention must be at least rawRetention")
        }
        return settings
    }
}
