/// How one ``MQTTServer`` listener carries MQTT: plain TCP, TLS, or WebSocket frames (optionally over TLS).
public enum MQTTTransport: Sendable {
    /// MQTT over TCP (conventionally port 1883).
    case tcp
    /// MQTT over TLS 1.2/1.3 (conventionally port 8883); mutual TLS when the configuration has client CAs.
    case tls(MQTTTLSConfiguration)
    /// MQTT over WebSocket (subprotocol `mqtt`, binary frames) at `path`; `wss` when `tls` is given.
    case webSocket(path: String = "/mqtt", tls: MQTTTLSConfiguration? = nil)

    /// The scheme a client uses, for logs.
    var scheme: String {
        switch self {
        case .tcp: "mqtt"
        case .tls: "mqtts"
        case .webSocket(_, let tls): tls == nil ? "ws" : "wss"
        }
    }

    var tlsConfiguration: MQTTTLSConfiguration? {
        switch self {
        case .tcp: nil
        case .tls(let configuration): configuration
        case .webSocket(_, let configuration): configuration
        }
    }
}
