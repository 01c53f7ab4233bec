/// The control packet type, bits 7–4 of the fixed header's first byte.
public enum MQTTPacketType: UInt8, Sendable, Hashable, CaseIterable {
    case connect = 1
    case connack = 2
    case publish = 3
    case puback = 4
    case pubrec = 5
    case pubrel = 6
    case pubcomp = 7
    case subscribe = 8
    case suback = 9
    case unsubscribe = 10
    case unsuback = 11
    case pingreq = 12
    case pingresp = 13
    case disconnect = 14
    /// Only in MQTT 5.0; type 15 is reserved in 3.1.1.
    case auth = 15

    /// The flags bits 3–0 must hold, or `nil` for PUBLISH, whose flags carry DUP, QoS and RETAIN.
    var requiredFlags: UInt8? {
        switch self {
        case .publish: nil
        case .pubrel, .subscribe, .unsubscribe: 0b0010
        default: 0
        }
    }

    /// Whether a client may send this packet to a server.
    var isSentByClient: Bool {
        switch self {
        case .connect, .publish, .puback, .pubrec, .pubrel, .pubcomp, .subscribe, .unsubscribe, .pingreq,
            .disconnect, .auth:
            true
        case .connack, .suback, .unsuback, .pingresp:
            false
        }
    }

    /// Whether a server may send this packet to a client (DISCONNECT only in 5.0).
    func isSentByServer(_ version: MQTTProtocolVersion) -> Bool {
        switch self {
        case .connack, .publish, .puback, .pubrec, .pubrel, .pubcomp, .suback, .unsuback, .pingresp, .auth:
            true
        case .disconnect:
            version == .v5
        case .connect, .subscribe, .unsubscribe, .pingreq:
            false
        }
    }
}

extension MQTTPacketType: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        case .auth: "AUTH"
        }
    }
}
