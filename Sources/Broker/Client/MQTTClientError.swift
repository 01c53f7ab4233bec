/// Everything an ``MQTTClient`` operation can fail with, each case carrying what the server said.
public enum MQTTClientError: Error, Sendable, Hashable {
    /// The server refused the CONNECT; 3.1.1 return codes arrive mapped to their 5.0 reason codes.
    case connectionRefused(MQTTReasonCode)
    /// The server ended the connection with a DISCONNECT (5.0) carrying this reason code.
    case serverDisconnected(MQTTReasonCode)
    /// The connection closed without a DISCONNECT from the server, or before the operation could be sent.
    case connectionClosed
    /// The server did not answer in time: no CONNACK, SUBACK or UNSUBACK within the request timeout, or
    /// no PINGRESP within the keep-alive interval. Carries the packet that was awaited.
    case timeout(MQTTPacketType)
    /// The server acknowledged a QoS 1 or 2 publication with a failure (PUBACK or PUBREC, 5.0).
    case publishFailed(MQTTReasonCode)
    /// The server sent something the codec or the protocol refuses; the connection is closed.
    case protocolViolation(MQTTProtocolError)
    /// A packet the client was asked to send breaks a rule the codec checks (a bad topic name, a packet
    /// above the server's Maximum Packet Size, …); nothing was sent.
    case invalidPacket(MQTTProtocolError)
    /// The server's CONNACK caps QoS below what the publication asks for (5.0 Maximum QoS).
    case qosNotSupported(requested: MQTTQoS, maximum: MQTTQoS)
}

extension MQTTClientError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionRefused(let code): "connection refused by the server: \(code)"
        case .serverDisconnected(let code): "the server disconnected: \(code)"
        case .connectionClosed: "the connection is closed"
        case .timeout(let type): "no \(type) from the server in time"
        case .publishFailed(let code): "the server refused the publication: \(code)"
        case .protocolViolation(let error): "the server broke the protocol: \(error)"
        case .invalidPacket(let error): "the packet cannot be sent: \(error)"
        case .qosNotSupported(let requested, let maximum):
            "QoS \(requested.rawValue) requested, the server supports at most \(maximum.rawValue)"
        }
    }
}
