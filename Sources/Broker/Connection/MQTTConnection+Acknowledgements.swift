import DequeModule
import Synchronization

/// QoS 1 acknowledgements in the order the PUBLISH packets arrived (MQTT-4.6.0-2), when some of them wait
/// for the application (``MQTTAcknowledgement``): a waiting one holds back those after it.
extension MQTTConnection {
    /// Notes a QoS 1 PUBLISH whose PUBACK is not yet decided.
    func expectAcknowledgement(_ identifier: UInt16) {
        pendingAcknowledgements.withLock { $0.append((identifier, nil)) }
    }

    /// Decides the PUBACK of `identifier` and sends every decided one at the front, in order. In 3.1.1,
    /// which has no negative PUBACK, a failure closes the connection instead, so the client sends the
    /// message again.
    func decideAcknowledgement(_ identifier: UInt16, reason: MQTTReasonCode) {
        pendingAcknowledgements.withLock { pending in
            guard let index = pending.firstIndex(where: { $0.identifier == identifier && $0.reason == nil }) else { return }
            pending[index].reason = reason
            while let first = pending.first, let decided = first.reason {
                pending.removeFirst()
                // Sent under the lock: the order of these calls is the order on the wire.
                if decided.isFailure, version == .v311 {
                    pending.removeAll()
                    disconnect(.unspecifiedError)
                    return
                }
                send(.puback(MQTTPacket.PubAck(packetIdentifier: first.identifier, reasonCode: decided)))
            }
        }
    }
}
