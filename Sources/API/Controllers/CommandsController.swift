import Hummingbird
import Sync
import TwinModel

/// `POST /v1/twins/{id}/commands/{name}`: a command to a device, synchronous or queued; and the twin's
/// command history, `GET /v1/twins/{id}/commands[/{commandId}]`.
struct CommandsController {
    /// `nil` when the server runs without the broker: sending commands then answers 503.
    let commands: DeviceCommands?
    let store: TwinStore

    static let defaultTimeout = 30.0
    static let maximumTimeout = 300.0
    static let defaultTimeToLive = 3_600.0
    /// A week, as long as IoT Hub keeps cloud-to-device messages at most.
    static let maximumTimeToLive = 604_800.0
    static let members: Set<String> = ["payload", "timeoutSeconds", "queue", "ttlSeconds"]

    /// The router needs one parameter name at one position: `:command` is the command's name in a POST and
    /// its id in a GET.
    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(":id/commands/:command", use: invoke)
        group.get(":id/commands", use: list)
        group.get(":id/commands/:command", use: get)
    }

    /// Body `{"payload"?: any JSON, "timeoutSeconds"?: 1…300, "queue"?: bool, "ttlSeconds"?: 1…604800}`.
    ///
    /// Synchronous (the default): `{"id", "status", "payload"}` with the device's answer; 404 when the device
    /// is not connected (or not listening for commands), 504 on timeout. Queued (`"queue": true`): 202 with
    /// the queued command at once; it is delivered when the device listens, now or on a later connection,
    /// until `ttlSeconds` (default 3600) pass.
    @Sendable func invoke(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let name = try context.pathParameter("command")
        let body = try await request.jsonObject(context: context)
        for key in body.keys where !Self.members.contains(key) {
            throw ProblemDetails.badRequest("unknown member \"\(key)\"; a command takes payload, timeoutSeconds, queue and ttlSeconds")
        }
        let timeout = try body.seconds("timeoutSeconds", default: Self.defaultTimeout, maximum: Self.maximumTimeout)
        var queued = false
        if let value = body["queue"] {
            guard let flag = value.boolValue else { throw ProblemDetails.badRequest("queue must be true or false") }
            queued = flag
        }
        guard queued || body["ttlSeconds"] == nil else { throw ProblemDetails.badRequest("ttlSeconds applies to queued commands only") }
        let timeToLive = try body.seconds("ttlSeconds", default: Self.defaultTimeToLive, maximum: Self.maximumTimeToLive)
        guard !name.isEmpty, !name.contains(where: { "/+#?".contains($0) }) else {
            throw ProblemDetails.badRequest("a command name may not contain /, +, # or ?")
        }
        guard let commands else {
            throw ProblemDetails(
                status: .serviceUnavailable, type: "https://doppel.dev/problems/commands-unavailable", title: "Service Unavailable",
                detail: "this server runs without the MQTT broker")
        }
        let device = DeviceAddress(tenant: context.tenant, id: id)
        let payload = body["payload"] ?? .null
        if queued {
            let command = try await commands.enqueue(
                name, payload: payload, for: device, timeToLive: .milliseconds(Int64(timeToLive * 1_000)),
                timeout: .milliseconds(Int64(timeout * 1_000)), requestedBy: context.actor)
            var response = Response.json(CommandDTO.json(command), status: .accepted)
            response.headers[.location] = "/v1/twins/\(id)/commands/\(command.id)"
            return response
        }
        do {
            let (commandID, reply) = try await commands.invoke(
                name, payload: payload, on: device, timeout: .milliseconds(Int64(timeout * 1_000)), requestedBy: context.actor)
            return .json(["id": .string(commandID), "status": .int(Int64(reply.status)), "payload": reply.payload])
        } catch DeviceCommands.Failure.offline {
            throw ProblemDetails(
                status: .notFound, type: "https://doppel.dev/problems/device-offline", title: "Not Found",
                detail: "device \"\(id)\" is not connected or not subscribed to its commands; send it with \"queue\": true to deliver it later")
        } catch DeviceCommands.Failure.timedOut {
            throw ProblemDetails(
                status: .gatewayTimeout, type: "https://doppel.dev/problems/command-timeout", title: "Gateway Timeout",
                detail: "device \"\(id)\" did not answer \(name) within \(timeout) s")
        }
    }

    /// `{"value": [command…]}`, newest first; `?limit=` 1…1000 (default 100).
    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        var limit = 100
        if let text = request.uri.queryParameters["limit"] {
            guard let value = Int(text), (1...1_000).contains(value) else { throw ProblemDetails.badRequest("limit must be from 1 to 1000") }
            limit = value
        }
        let commands = try await store.commands(of: id, in: context.tenant, limit: limit)
        return .json(["value": .array(commands.map(CommandDTO.json))])
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let command = try await store.command(try context.pathParameter("command"), of: try context.pathParameter("id"), in: context.tenant)
        return .json(CommandDTO.json(command))
    }
}
