/// Min, max, sum, count and last of one metric over one time bucket: the rollups kept at one minute and one
/// hour, merged from messages in a batch and then into the stored bucket.
public struct TelemetryRollup: Sendable, Equatable {
    /// The widths rollups are kept at, in milliseconds.
    public static let widths: [Int64] = [60_000, 3_600_000]

    public var count: Int64
    public var sum: Double
    public var minimum: Double
    public var maximum: Double
    public var last: Double
    public var lastAt: Int64

    public init(value: Double, at time: Int64) {
        count = 1
        sum = value
        minimum = value
        maximum = value
        last = value
        lastAt = time
    }

    public mutating func add(_ value: Double, at time: Int64) {
        count += 1
        sum += value
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        if time >= lastAt {
            last = value
            lastAt = time
        }
    }

    public var average: Double { sum / Double(count) }

    /// The start of the bucket of `width` milliseconds that holds `time`.
    public static func bucket(of time: Int64, width: Int64) -> Int64 {
        time - ((time % width) + width) % width
    }

    /// Where a rollup lives: twin row, metric, width and the bucket's start.
    struct Key: Hashable {
        var twin: Int64
        var metric: String
        var width: Int64
        var bucket: Int64
    }
}

/// How a series query summarises each interval.
public enum TelemetryAggregate: String, Sendable, CaseIterable {
    case avg, min, max, sum, count, last
}
