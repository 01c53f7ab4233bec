import Synchronization

/// A QoS 1 publication's acknowledgement, held by the in-process subscribers that asked to hold it
/// (``BrokerCore/subscribe(_:qos:holdingAcknowledgements:handler:)``): the publisher gets its PUBACK once
/// every holder has called ``complete(_:)``, with the first reason other than success (5.0), so a message is
/// acknowledged only once the application has it safe.
public final class MQTTAcknowledgement: Sendable {
    private struct State {
        var remaining: Int
        var reason: MQTTReasonCode = .success
    }

    private let state: Mutex<State>
    private let onComplete: @Sendable (MQTTReasonCode) -> Void

    init(holders: Int, onComplete: @escaping @Sendable (MQTTReasonCode) -> Void) {
        state = Mutex(State(remaining: holders))
        self.onComplete = onComplete
    }

    /// This holder is done with the message: `.success`, or a PUBACK reason code (`.quotaExceeded`,
    /// `.payloadFormatInvalid`, `.unspecifiedError`, …). Later calls by the same holder are ignored only if
    /// all holders already completed; call it once.
    public func complete(_ reason: MQTTReasonCode = .success) {
        let finished: MQTTReasonCode? = state.withLock { state in
            guard state.remaining > 0 else { return nil }
            state.remaining -= 1
            if state.reason == .success { state.reason = reason }
            return state.remaining == 0 ? state.reason : nil
        }
        if let finished { onComplete(finished) }
    }
}
