import NIOCore
import Synchronization

/// A token bucket for CONNECTs: a burst of `rate` at once, then `rate` per second.
final class ConnectionRateLimiter: Sendable {
    private let rate: Double
    private let bucket: Mutex<(tokens: Double, refilled: NIODeadline)>

    init(perSecond rate: Int) {
        self.rate = Double(max(rate, 1))
        bucket = Mutex((Double(max(rate, 1)), .now()))
    }

    /// Takes a token if one is left.
    func admit(now: NIODeadline = .now()) -> Bool {
        bucket.withLock { bucket in
            let elapsed = Double((now - bucket.refilled).nanoseconds) / 1e9
            bucket.tokens = min(rate, bucket.tokens + max(0, elapsed) * rate)
            bucket.refilled = now
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
