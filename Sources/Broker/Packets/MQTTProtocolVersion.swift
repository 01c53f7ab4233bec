/// The MQTT protocol levels Doppel speaks, by the level byte a CONNECT carries.
///
/// MQTT 3.1 (level 3, protocol name `MQIsdp`) is refused: its clients get CONNACK return code 0x01.
public enum MQTTProtocolVersion: UInt8, Sendable, Hashable, CaseIterable {
    /// MQTT 3.1.1 (OASIS, 2014).
    case v311 = 4
    /// MQTT 5.0 (OASIS, 2019).
    case v5 = 5
}

extension MQTTProtocolVersion: CustomStringConvertible {
    public var description: String {
        switch self {
        case .v311: "3.1.1"
        case .v5: "5.0"
        }
    }
}
