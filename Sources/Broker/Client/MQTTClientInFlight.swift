/// The packet identifiers a client has in use and its send quota for QoS 1 and 2 publications (§4.9):
/// plain state, no I/O, so that every rule is testable without a connection.
///
/// A PUBLISH of QoS 1 holds its identifier until PUBACK; of QoS 2 until PUBCOMP (or a failed PUBREC);
/// SUBSCRIBE and UNSUBSCRIBE until their acknowledgement. Only publications count against the quota,
/// the smaller of the server's Receive Maximum and the client's own limit; publications beyond it wait in
/// ``pending``, in order, until an acknowledgement frees a slot.
struct MQTTClientInFlight<Completion, Pending> {
    /// What an identifier is held for.
    enum Kind: Equatable {
        case publish(MQTTQoS)
        /// A QoS 2 publication whose PUBREC arrived and whose PUBREL was sent; awaits PUBCOMP.
        case released
        case subscribe
        case unsubscribe
    }

    /// What an acknowledgement means for its identifier.
    enum Outcome {
        /// The exchange is over: complete it. `freedSlot` tells whether a pending publication may go.
        case completed(Completion, freedSlot: Bool)
        /// PUBREC of a QoS 2 publication: answer PUBREL and keep waiting for PUBCOMP.
        case release
        /// No exchange of that kind holds the identifier: the server broke the protocol (or, for PUBREL-less
        /// retransmissions, nothing is to be done).
        case unknown
    }

    private var entries: [UInt16: (kind: Kind, completion: Completion)] = [:]
    private var nextIdentifier: UInt16 = 1
    /// Publications in flight, against ``quota``.
    private(set) var publications = 0
    /// The most publications in flight at once.
    var quota: Int
    /// Publications waiting for a slot, oldest first.
    private(set) var pending: [Pending] = []
    private var pendingStart = 0

    init(quota: Int) {
        precondition(quota > 0, "the send quota is at least 1")
        self.quota = min(quota, Int(UInt16.max) - 512)
    }

    /// Whether a publication may be sent now: a slot is free and no earlier one waits.
    var canPublish: Bool { publications < quota && !hasPending }

    var hasPending: Bool { pendingStart < pending.count }

    /// Identifiers in use.
    var count: Int { entries.count }

    /// Takes a free identifier for `kind`; a publication also takes a slot of the quota (check
    /// ``canPublish`` first). Returns `nil` when every identifier is in use.
    mutating func allocate(_ kind: Kind, completion: Completion) -> UInt16? {
        guard entries.count < Int(UInt16.max) else { return nil }
        var identifier = nextIdentifier
        while entries[identifier] != nil {
            identifier = identifier == UInt16.max ? 1 : identifier + 1
        }
        nextIdentifier = identifier == UInt16.max ? 1 : identifier + 1
        entries[identifier] = (kind, completion)
        if case .publish = kind { publications += 1 }
        return identifier
    }

    /// Queues a publication until a slot frees.
    mutating func enqueue(_ publication: Pending) {
        pending.append(publication)
    }

    /// The oldest waiting publication, when a slot is free for it.
    mutating func dequeue() -> Pending? {
        guard publications < quota, pendingStart < pending.count else { return nil }
        let next = pending[pendingStart]
        pendingStart += 1
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        } else if pendingStart >= 1024, pendingStart * 2 >= pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return next
    }

    /// Applies an acknowledgement of `type` (PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK) for `identifier`.
    /// `failed` is whether its reason code reports a failure, which ends a QoS 2 exchange at PUBREC.
    mutating func acknowledge(_ type: MQTTPacketType, identifier: UInt16, failed: Bool = false) -> Outcome {
        guard let entry = entries[identifier] else { return .unknown }
        switch (type, entry.kind) {
        case (.puback, .publish(.atLeastOnce)), (.pubcomp, .released):
            return finish(identifier, entry.completion, publication: true)
        case (.pubrec, .publish(.exactlyOnce)):
            if failed { return finish(identifier, entry.completion, publication: true) }
            entries[identifier] = (.released, entry.completion)
            return .release
        case (.pubrec, .released):
            // A retransmitted PUBREC: answer PUBREL again.
            return .release
        case (.suback, .subscribe), (.unsuback, .unsubscribe):
            return finish(identifier, entry.completion, publication: false)
        default:
            return .unknown
        }
    }

    /// Gives back an identifier taken by ``allocate(_:completion:)`` whose packet could not be sent.
    mutating func cancel(_ identifier: UInt16) -> Completion? {
        guard let entry = entries.removeValue(forKey: identifier) else { return nil }
        if case .publish = entry.kind { publications -= 1 }
        return entry.completion
    }

    private mutating func finish(_ identifier: UInt16, _ completion: Completion, publication: Bool) -> Outcome {
        entries[identifier] = nil
        if publication { publications -= 1 }
        return .completed(completion, freedSlot: publication)
    }

    /// Ends everything, for a closed connection: the completions of every exchange in flight, then every
    /// waiting publication.
    mutating func removeAll() -> (inFlight: [Completion], pending: [Pending]) {
        let inFlight = entries.values.map(\.completion)
        let waiting = Array(pending[pendingStart...])
        entries = [:]
        pending = []
        pendingStart = 0
        publications = 0
        return (inFlight, waiting)
    }
}
