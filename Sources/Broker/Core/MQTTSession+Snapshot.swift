import DequeModule
import OrderedCollections
import NIOCore

extension MQTTSession {
    /// What a session holds towards its client, in order, for persistence.
    struct Snapshot: Sendable {
        var nextPacketIdentifier: UInt16
        /// In flight: the identifier, and the delivery (`nil` once PUBREL was sent: only PUBCOMP is awaited).
        var inflight: [(identifier: UInt16, delivery: MQTTDelivery?)]
        var pending: [MQTTDelivery]
    }

    /// A copy of the delivery state, taken under the session's lock.
    func snapshot() -> Snapshot {
        withDeliveryState { state in
            Snapshot(
                nextPacketIdentifier: state.nextPacketIdentifier,
                inflight: state.inflight.map { identifier, entry in
                    switch entry {
                    case .published(let delivery): (identifier, delivery)
                    case .released: (identifier, nil)
                    }
                },
                pending: Array(state.pending))
        }
    }

    /// Puts back what a snapshot held, before any connection attaches.
    func restore(_ snapshot: Snapshot) {
        withDeliveryState { state in
            state.nextPacketIdentifier = snapshot.nextPacketIdentifier
            state.inflight.removeAll()
            for (identifier, delivery) in snapshot.inflight {
                state.inflight[identifier] = delivery.map { .published($0) } ?? .released
            }
            state.pending = .init(snapshot.pending)
            state.pendingBytes = snapshot.pending.reduce(0) { $0 + $1.message.payload.readableBytes }
        }
    }
}
