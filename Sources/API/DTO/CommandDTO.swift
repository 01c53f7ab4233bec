import TwinModel

/// A command of the twin's command history as the API shows it.
enum CommandDTO {
    static func json(_ command: CommandRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(command.id), "name": .string(command.name), "payload": command.payload, "status": .string(command.status.rawValue),
            "requestedBy": .string(command.requestedBy), "createdAt": .string(command.createdAt.iso8601),
            "timeoutSeconds": .double(Double(command.timeout.components.seconds) + Double(command.timeout.components.attoseconds) / 1e18),
        ]
        if let expiresAt = command.expiresAt { object["expiresAt"] = .string(expiresAt.iso8601) }
        if let deliveredAt = command.deliveredAt { object["deliveredAt"] = .string(deliveredAt.iso8601) }
        if let completedAt = command.completedAt { object["completedAt"] = .string(completedAt.iso8601) }
        if let status = command.replyStatus { object["reply"] = ["status": .int(Int64(status)), "payload": command.reply ?? .null] }
        return .object(object)
    }
}
