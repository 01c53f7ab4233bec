/// When a client sends PINGREQ and when it gives up on the PINGRESP (§3.1.2.10), as a plain state
/// machine driven by a timer that ticks four times per keep-alive interval.
///
/// Writing anything counts as activity (recorded by setting a flag, which is all the hot path pays).
/// After two ticks without a write (between a quarter and half of the interval) the client pings; when
/// the PINGRESP is not back four ticks later (one interval), the connection is dead.
struct MQTTClientKeepAlive {
    enum Action: Equatable {
        case none
        case sendPing
        case timedOut
    }

    /// Ticks per keep-alive interval.
    static let ticksPerInterval = 4

    private var ticksSinceWrite = 0
    private var ticksSincePing: Int?

    /// Something was written to the server.
    mutating func wrote() {
        ticksSinceWrite = 0
    }

    /// PINGRESP arrived.
    mutating func receivedPingResponse() {
        ticksSincePing = nil
    }

    /// One timer tick: what to do now.
    mutating func tick() -> Action {
        if let ticks = ticksSincePing {
            let elapsed = ticks + 1
            guard elapsed < Self.ticksPerInterval else { return .timedOut }
            ticksSincePing = elapsed
        }
        ticksSinceWrite += 1
        guard ticksSinceWrite >= 2, ticksSincePing == nil else { return .none }
        ticksSincePing = 0
        ticksSinceWrite = 0
        return .sendPing
    }
}
