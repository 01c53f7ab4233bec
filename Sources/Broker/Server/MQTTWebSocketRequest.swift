import NIOHTTP1

/// What the WebSocket listener makes of an HTTP request: an MQTT upgrade, or the status it refuses it with.
enum MQTTWebSocketRequest: Equatable {
    /// `GET path` asking for `Upgrade: websocket` with `mqtt` among its subprotocols.
    case upgrade
    case refuse(HTTPResponseStatus, reason: String)

    static let subprotocol = "mqtt"

    init(_ head: HTTPRequestHead, path: String) {
        let requestPath = head.uri.prefix { $0 != "?" && $0 != "#" }
        guard requestPath == path else {
            self = .refuse(.notFound, reason: "MQTT over WebSocket is served at \(path) only")
            return
        }
        guard head.method == .GET else {
            self = .refuse(.methodNotAllowed, reason: "use GET with Upgrade: websocket")
            return
        }
        let upgrades = head.headers[canonicalForm: "upgrade"].map { $0.lowercased() }
        guard upgrades.contains("websocket") else {
            self = .refuse(.upgradeRequired, reason: "this endpoint speaks MQTT over WebSocket only")
            return
        }
        let protocols = head.headers[canonicalForm: "sec-websocket-protocol"]
        guard protocols.contains(where: { $0 == Substring(Self.subprotocol) }) else {
            self = .refuse(.badRequest, reason: "the WebSocket subprotocol must be \(Self.subprotocol)")
            return
        }
        self = .upgrade
    }
}
