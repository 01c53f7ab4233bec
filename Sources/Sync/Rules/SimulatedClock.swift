import Synchronization
import TwinModel

/// Time for telemetry and rules: the wall clock in production; under test, a clock that moves only when
/// told (`doppel serve --simulated-clock`, `POST /v1/clock`), so a five-minute window can pass in a test
/// that takes a second.
public final class SimulatedClock: Sendable {
    private let milliseconds: Mutex<Int64>
    private let listeners = Mutex<[@Sendable () -> Void]>([])

    public init(start: Timestamp = .now) {
        milliseconds = Mutex(start.milliseconds)
    }

    public var now: Timestamp { Timestamp(milliseconds: milliseconds.withLock { $0 }) }

    /// Moves the clock on and tells every listener.
    public func advance(by amount: Int64) {
        milliseconds.withLock { $0 += max(amount, 0) }
        for listener in listeners.withLock({ $0 }) { listener() }
    }

    /// Calls `listener` after each advance.
    public func onAdvance(_ listener: @escaping @Sendable () -> Void) {
        listeners.withLock { $0.append(listener) }
    }
}

/// Where telemetry and rules read the time.
public enum TelemetryClock: Sendable {
    case system
    case simulated(SimulatedClock)

    public var now: Timestamp {
        switch self {
        case .system: .now
        case .simulated(let clock): clock.now
        }
    }
}
