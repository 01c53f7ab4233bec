import Foundation
import Hummingbird
import Sync
import TwinModel

/// `/v1/devices/{id}/messages`: IoT Hub cloud-to-device messages, queued with a time to live and delivered
/// when the device subscribes to them.
struct DeviceMessagesController {
    /// `nil` when the server runs without the broker: sending then answers 503.
    let messages: CloudToDeviceMessages?
    let store: TwinStore

    /// IoT Hub's limits: a message body of at most 64 KB, kept at most two days.
    static let maximumBodyBytes = 65_536
    static let defaultTimeToLive = 3_600.0
    static let maximumTimeToLive = 172_800.0
    static let maximumProperties = 32
    static let members: Set<String> = ["payload", "base64", "contentType", "properties", "ttlSeconds"]

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.post(":id/messages", use: send)
        group.get(":id/messages", use: list)
    }

    /// Body `{"payload": any JSON | "base64": bytes, "contentType"?, "properties"?: {name: string}, "ttlSeconds"?}`
    /// → 202 with the queued message.
    @Sendable func send(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let body = try await request.jsonObject(context: context)
        for key in body.keys where !Self.members.contains(key) {
            throw ProblemDetails.badRequest("unknown member \"\(key)\"; a message takes payload or base64, contentType, properties and ttlSeconds")
        }
        let bytes: [UInt8]
        var contentType = try body["contentType"].map { value in
            guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 256 else {
                throw ProblemDetails.badRequest("contentType must be a non-empty string of at most 256 bytes")
            }
            return text
        }
        switch (body["payload"], body["base64"]) {
        case (let payload?, nil):
            bytes = payload.encoded()
            contentType = contentType ?? "application/json"
        case (nil, let encoded?):
            guard let text = encoded.stringValue, let data = Data(base64Encoded: text) else {
                throw ProblemDetails.badRequest("base64 must be a base64 string")
            }
            bytes = [UInt8](data)
        default:
            throw ProblemDetails.badRequest("a message takes exactly one of payload (JSON) and base64 (bytes)")
        }
        guard bytes.count <= Self.maximumBodyBytes else {
            throw ProblemDetails(
                status: .contentTooLarge, type: "https://doppel.dev/problems/document-too-large", title: "Content Too Large",
                detail: "the message body is \(bytes.count) bytes; the limit is \(Self.maximumBodyBytes)")
        }
        let properties = try Self.properties(body["properties"])
        let timeToLive = try body.seconds("ttlSeconds", default: Self.defaultTimeToLive, maximum: Self.maximumTimeToLive)
        guard let messages else {
            throw ProblemDetails(
                status: .serviceUnavailable, type: "https://doppel.dev/problems/messages-unavailable", title: "Service Unavailable",
                detail: "this server runs without the MQTT broker")
        }
        guard try await store.device(id, in: context.tenant) != nil else { throw TwinModelError.deviceNotFound(id) }
        let now = Timestamp.now
        let message = DeviceMessage(
            twin: id, body: bytes, contentType: contentType, properties: properties, sentBy: context.actor, createdAt: now,
            expiresAt: Timestamp(milliseconds: now.milliseconds + Int64(timeToLive * 1_000)))
        try await messages.send(message, in: context.tenant)
        return .json(Self.json(message), status: .accepted)
    }

    /// `{"value": [...]}`, newest first, with each message's status (`queued`, `delivered`, `expired`).
    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let messages = try await store.deviceMessages(of: try context.pathParameter("id"), in: context.tenant)
        return .json(["value": .array(messages.map(Self.json))])
    }

    private static func properties(_ value: JSONValue?) throws -> [String: String] {
        guard let value else { return [:] }
        guard case .object(let object) = value, object.count <= maximumProperties else {
            throw ProblemDetails.badRequest("properties must be an object of at most \(maximumProperties) strings")
        }
        var properties: [String: String] = [:]
        for (key, member) in object {
            guard !key.isEmpty, !key.hasPrefix("$"), key.utf8.count <= 128 else {
                throw ProblemDetails.badRequest("property name \"\(key)\" must be 1 to 128 bytes and not start with $ (IoT Hub's own)")
            }
            guard let text = member.stringValue, text.utf8.count <= 1_024 else {
                throw ProblemDetails.badRequest("property \(key) must be a string of at most 1024 bytes")
            }
            properties[key] = text
        }
        return properties
    }

    static func json(_ message: DeviceMessage) -> JSONValue {
        var object: JSONObject = [
            "id": .string(message.id), "status": .string(message.status.rawValue), "bytes": .int(Int64(message.body.count)),
            "properties": .strings(message.properties),
            "sentBy": .string(message.sentBy), "createdAt": .string(message.createdAt.iso8601), "expiresAt": .string(message.expiresAt.iso8601),
        ]
        if let contentType = message.contentType { object["contentType"] = .string(contentType) }
        if let deliveredAt = message.deliveredAt { object["deliveredAt"] = .string(deliveredAt.iso8601) }
        return .object(object)
    }
}
