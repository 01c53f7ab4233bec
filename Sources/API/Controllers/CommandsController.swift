import Hummingbird
import Sync
import TwinModel

/// `POST /v1/twins/{id}/commands/{name}`: a synchronous command to a connected device.
struct CommandsController {
    /// `nil` when the server runs without the broker: commands then answer 503.
    let commands: DeviceCommands?

    static let defaultTimeout = 30.0
    static let maximumTimeout = 300.0

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(":id/commands/:name", use: invoke)
    }

    /// Body `{"payload"?: any JSON, "timeoutSeconds"?: 1…300}` → `{"status", "payload"}` with the device's
    /// answer; 404 when the device is not connected (or not listening for commands), 504 on timeout.
    @Sendable func invoke(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let name = try context.pathParameter("name")
        let body = try await request.jsonObject(context: context)
        for key in body.keys where key != "payload" && key != "timeoutSeconds" {
            throw ProblemDetails.badRequest("unknown member \"\(key)\"; a command takes payload and timeoutSeconds")
        }
        var timeout = Self.defaultTimeout
        if let value = body["timeoutSeconds"] {
            guard let seconds = value.doubleValue, (1...Self.maximumTimeout).contains(seconds) else {
                throw ProblemDetails.badRequest("timeoutSeconds must be a number from 1 to \(Int(Self.maximumTimeout))")
            }
            timeout = seconds
        }
        guard !name.isEmpty, !name.contains(where: { "/+#?".contains($0) }) else {
            throw ProblemDetails.badRequest("a command name may not contain /, +, # or ?")
        }
        guard let commands else {
            throw ProblemDetails(
                status: .serviceUnavailable, type: "https://doppel.dev/problems/commands-unavailable", title: "Service Unavailable",
                detail: "this server runs without the MQTT broker")
        }
        do {
            let reply = try await commands.invoke(
                name, payload: body["payload"] ?? .null, on: DeviceAddress(tenant: context.tenant, id: id),
                timeout: .milliseconds(Int64(timeout * 1_000)))
            return .json(["status": .int(Int64(reply.status)), "payload": reply.payload])
        } catch DeviceCommands.Failure.offline {
            throw ProblemDetails(
                status: .notFound, type: "https://doppel.dev/problems/device-offline", title: "Not Found",
                detail: "device \"\(id)\" is not connected or not subscribed to its commands")
        } catch DeviceCommands.Failure.timedOut {
            throw ProblemDetails(
                status: .gatewayTimeout, type: "https://doppel.dev/problems/command-timeout", title: "Gateway Timeout",
                detail: "device \"\(id)\" did not answer \(name) within \(timeout) s")
        }
    }
}
