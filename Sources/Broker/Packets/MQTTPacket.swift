/// An MQTT control packet of 3.1.1 or 5.0, as the codec decodes and encodes it.
///
/// The values are version-neutral: fields that exist only in 5.0 (properties, most reason codes) keep
/// their defaults in a 3.1.1 connection, and the encoder maps or omits them for 3.1.1 peers.
public enum MQTTPacket: Sendable, Hashable {
    case connect(Connect)
    case connack(ConnAck)
    case publish(Publish)
    case puback(PubAck)
    case pubrec(PubRec)
    case pubrel(PubRel)
    case pubcomp(PubComp)
    case subscribe(Subscribe)
    case suback(SubAck)
    case unsubscribe(Unsubscribe)
    case unsuback(UnsubAck)
    case pingreq
    case pingresp
    case disconnect(Disconnect)
    /// Extended authentication, MQTT 5.0 only.
    case auth(Auth)

    /// The packet's control packet type.
    public var type: MQTTPacketType {
        switch self {
        case .connect: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .pingreq: .pingreq
        case .pingresp: .pingresp
        case .disconnect: .disconnect
        case .auth: .auth
        }
    }
}
