import DequeModule
import TwinModel

/// The recent samples of one metric of one twin, for the window functions of the rules that watch it.
///
/// A window of width `w` has a value only once the samples cover it — the earliest sample known is at
/// least `w` old — so a five-minute average does not fire on its first minute of data.
struct SampleWindow {
    private(set) var samples: Deque<(at: Int64, value: Double)> = []
    /// The earliest sample ever seen (or loaded from the store); kept when older samples are dropped.
    private(set) var coveredSince: Int64?
    /// The widest window any rule reads, doubled: tumbling windows need the whole previous bucket.
    var retention: Int64

    init(retention: Int64) {
        self.retention = retention
    }

    mutating func add(_ value: Double, at time: Int64) {
        if let last = samples.last, time < last.at {
            // Out of order (a store backfill racing live data): keep the samples sorted.
            let index = samples.firstIndex { $0.at > time } ?? samples.endIndex
            samples.insert((time, value), at: index)
        } else {
            samples.append((time, value))
        }
        coveredSince = min(coveredSince ?? time, time)
    }

    mutating func prune(now: Int64) {
        while let first = samples.first, first.at < now - retention { samples.removeFirst() }
    }

    /// The function over `[now − width, now]` (sliding), or over the last whole bucket of `width` before
    /// `now` (tumbling); `nil` until the samples cover it or when it holds none.
    func value(_ function: RuleWindowFunction, width: Int64, tumbling: Bool, now: Int64) -> Double? {
        let (start, end) = tumbling ? Self.lastBucket(width: width, now: now) : (now - width, now + 1)
        guard let coveredSince, coveredSince <= start else { return nil }
        var count = 0
        var sum = 0.0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var first: (at: Int64, value: Double)?
        var last: (at: Int64, value: Double)?
        for sample in samples where sample.at >= start && sample.at < end {
            count += 1
            sum += sample.value
            minimum = min(minimum, sample.value)
            maximum = max(maximum, sample.value)
            if first == nil { first = sample }
            last = sample
        }
        switch function {
        case .count: return Double(count)
        case .avg: return count == 0 ? nil : sum / Double(count)
        case .min: return count == 0 ? nil : minimum
        case .max: return count == 0 ? nil : maximum
        case .rate:
            guard let first, let last, last.at > first.at else { return nil }
            return (last.value - first.value) / (Double(last.at - first.at) / 1_000)
        }
    }

    static func lastBucket(width: Int64, now: Int64) -> (Int64, Int64) {
        let end = TelemetryRollup.bucket(of: now, width: width)
        return (end - width, end)
    }
}
