import HTTPTypes
import Hummingbird
import NIOCore
import Sync
import TwinModel

/// `/v1/alerts`: alerts the rules raised, their acknowledgement, their history and a live stream.
struct AlertsController {
    let store: TwinStore

    static let followInterval = Duration.milliseconds(200)

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: list)
        group.get("stream", use: stream)
        group.get(":id", use: get)
        group.post(":id/ack", use: acknowledge)
    }

    /// `?state=active|acknowledged|cleared|open` (open = active or acknowledged; comma-separated for
    /// several), `?limit=` 1…1000 (default 100); newest first.
    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        var states: Set<AlertRecord.State>?
        if let text = request.uri.queryParameters["state"] {
            var chosen = Set<AlertRecord.State>()
            for name in text.split(separator: ",") {
                if name == "open" {
                    chosen.formUnion([.active, .acknowledged])
                } else if let state = AlertRecord.State(rawValue: String(name)) {
                    chosen.insert(state)
                } else {
                    throw ProblemDetails.badRequest("state must be active, acknowledged, cleared or open, found \"\(name)\"")
                }
            }
            states = chosen
        }
        var limit = 100
        if let text = request.uri.queryParameters["limit"] {
            guard let value = Int(text), (1...1_000).contains(value) else { throw ProblemDetails.badRequest("limit must be from 1 to 1000") }
            limit = value
        }
        let alerts = try await store.alerts(in: context.tenant, states: states, limit: limit)
        return .json(["value": .array(alerts.map(AlertDocument.json))])
    }

    /// The alert and its events (raised, escalated, deescalated, acknowledged, cleared), oldest first.
    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let (alert, events) = try await store.alert(try context.pathParameter("id"), in: context.tenant)
        guard case .object(var body) = AlertDocument.json(alert) else { return .json(AlertDocument.json(alert)) }
        body["events"] = .array(events.map(AlertDocument.json))
        return .json(.object(body))
    }

    /// Operator. 200 with the alert; acknowledging again changes nothing; 409 for a cleared alert.
    @Sendable func acknowledge(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        let alert = try await store.acknowledgeAlert(try context.pathParameter("id"), in: context.tenant, by: context.actor)
        return .json(AlertDocument.json(alert))
    }

    /// Server-sent events of alert changes after `?after=` (an event sequence; default: from now) or
    /// `Last-Event-ID`: `id` the sequence, `data` `{event, alert}`; they follow until the client leaves.
    @Sendable func stream(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        var after = try await store.lastAlertEvent()
        if let text = request.uri.queryParameters["after"] {
            guard let value = Int64(text), value >= 0 else { throw ProblemDetails.badRequest("after must be a whole number") }
            after = value
        }
        if let resume = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap({ Int64($0) }) { after = resume }
        let tenant = context.tenant
        let store = self.store
        let start = after
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var next = start
                // A comment at once, so the client sees the stream open before the first alert.
                try await writer.write(ByteBuffer(string: ": alerts\n\n"))
                while true {
                    let changes = try await store.alertEvents(in: tenant, after: next, limit: 100)
                    if changes.isEmpty {
                        try await Task.sleep(for: Self.followInterval)
                        continue
                    }
                    var buffer = ByteBuffer()
                    for (alert, event) in changes {
                        let data: JSONValue = ["event": AlertDocument.json(event), "alert": AlertDocument.json(alert)]
                        buffer.writeString("id: \(event.sequence)\ndata: ")
                        buffer.writeBytes(data.encoded())
                        buffer.writeString("\n\n")
                        next = event.sequence
                    }
                    try await writer.write(buffer)
                }
            })
    }
}

/// `/v1/clock` on a server started with `--simulated-clock`: the time telemetry and rules run on, moved on
/// by tests.
struct ClockController {
    let clock: SimulatedClock
    let engine: RuleEngine?

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: show)
        group.post(use: advance)
    }

    @Sendable func show(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(["now": .string(clock.now.iso8601), "simulated": true])
    }

    /// Admin. Body `{"advance": "5m"}`; answers once the rules have looked at the new time.
    @Sendable func advance(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.admin)
        let body = try await request.jsonObject(context: context)
        guard case .string(let text)? = body["advance"], let amount = DurationText.milliseconds(text) else {
            throw ProblemDetails.badRequest("advance must be a duration such as 30s or 5m")
        }
        clock.advance(by: amount)
        await engine?.settle()
        return .json(["now": .string(clock.now.iso8601), "simulated": true])
    }
}
