import DequeModule
import TwinModel

/// The recent samples of one metric of one twin, with the window functions of the rules that watch it kept
/// up to date as samples arrive and age, so evaluating a window costs the same whatever it holds.
///
/// Each sliding width keeps its running sum and count and monotonic queues for its minimum and maximum
/// over the shared samples; each tumbling width keeps its current and last whole bucket. A sliding window
/// has a value only once the samples cover it — the earliest sample known is at least the window's width
/// old — so a five-minute average does not fire on its first minute of data; a tumbling window has the
/// aggregate of the last whole bucket, which is whole in time by construction.
final class SampleWindow {
    struct Sample {
        var at: Int64
        var value: Double
    }

    /// One sliding width's running aggregate over `samples[start...]`.
    private struct Slide {
        var width: Int64
        /// Absolute index of the window's first sample.
        var start: Int
        var sum = 0.0
        /// Absolute indexes whose values increase (minimum first) and decrease (maximum first).
        var minimums: Deque<Int> = []
        var maximums: Deque<Int> = []
    }

    /// One tumbling width's buckets.
    private struct Tumble {
        var width: Int64
        var current: (bucket: Int64, rollup: TelemetryRollup)?
        var previous: (bucket: Int64, rollup: TelemetryRollup)?
    }

    private(set) var samples: Deque<Sample> = []
    /// Absolute index of `samples[0]`: samples dropped from the front keep the indexes of the rest.
    private var dropped = 0
    /// The earliest sample ever seen (or loaded from the store); kept when older samples are dropped.
    private(set) var coveredSince: Int64?
    private var slides: [Slide] = []
    private var tumbles: [Tumble] = []

    /// Keeps the aggregates for these widths.
    init(sliding: Set<Int64>, tumbling: Set<Int64>) {
        slides = sliding.sorted().map { Slide(width: $0, start: 0) }
        tumbles = tumbling.sorted().map { Tumble(width: $0) }
    }

    /// Adds the widths a newly watching rule needs; a new sliding width starts from the samples still held.
    func require(sliding: Set<Int64>, tumbling: Set<Int64>) {
        for width in sliding.subtracting(slides.map(\.width)).sorted() {
            var slide = Slide(width: width, start: dropped)
            for (offset, sample) in samples.enumerated() { Self.push(sample.value, index: dropped + offset, into: &slide, samples: samples, dropped: dropped) }
            slides.append(slide)
        }
        for width in tumbling.subtracting(tumbles.map(\.width)).sorted() { tumbles.append(Tumble(width: width)) }
    }

    /// Adds a sample; samples older than the last one are taken as arriving now (server time only grows).
    func add(_ value: Double, at time: Int64) {
        let at = max(time, samples.last?.at ?? time)
        samples.append(Sample(at: at, value: value))
        let index = dropped + samples.count - 1
        coveredSince = min(coveredSince ?? at, at)
        for slot in slides.indices { Self.push(value, index: index, into: &slides[slot], samples: samples, dropped: dropped) }
        for slot in tumbles.indices {
            let bucket = TelemetryRollup.bucket(of: at, width: tumbles[slot].width)
            if let current = tumbles[slot].current, current.bucket == bucket {
                tumbles[slot].current!.rollup.add(value, at: at)
            } else {
                if let current = tumbles[slot].current { tumbles[slot].previous = current }
                tumbles[slot].current = (bucket, TelemetryRollup(value: value, at: at))
            }
        }
        advance(to: at)
    }

    /// Moves every sliding window's start up to `now` and drops the samples no window holds any more.
    func advance(to now: Int64) {
        for slot in slides.indices {
            while slides[slot].start < dropped + samples.count, samples[slides[slot].start - dropped].at <= now - slides[slot].width {
                let index = slides[slot].start
                slides[slot].sum -= samples[index - dropped].value
                if slides[slot].minimums.first == index { slides[slot].minimums.removeFirst() }
                if slides[slot].maximums.first == index { slides[slot].maximums.removeFirst() }
                slides[slot].start += 1
            }
        }
        let keep = slides.map(\.start).min() ?? dropped + samples.count
        while dropped < keep {
            samples.removeFirst()
            dropped += 1
        }
    }

    /// The function over `(now − width, now]` (sliding) or over the last whole bucket of `width` before
    /// `now` (tumbling); `nil` until the samples cover it or when it holds none. Call ``advance(to:)`` first.
    func value(_ function: RuleWindowFunction, width: Int64, tumbling: Bool, now: Int64) -> Double? {
        if tumbling {
            let end = TelemetryRollup.bucket(of: now, width: width)
            // A whole bucket is whole in time: its aggregate stands once any sample has been seen.
            guard coveredSince != nil, let tumble = tumbles.first(where: { $0.width == width }) else { return nil }
            let last = [tumble.current, tumble.previous].compactMap { $0 }.first { $0.bucket == end - width }?.rollup
            switch function {
            case .count: return Double(last?.count ?? 0)
            case .avg: return last?.average
            case .min: return last?.minimum
            case .max: return last?.maximum
            case .rate: return nil
            }
        }
        guard let coveredSince, coveredSince <= now - width, let slide = slides.first(where: { $0.width == width }) else { return nil }
        let count = dropped + samples.count - slide.start
        switch function {
        case .count: return Double(count)
        case .avg: return count == 0 ? nil : slide.sum / Double(count)
        case .min: return slide.minimums.first.map { samples[$0 - dropped].value }
        case .max: return slide.maximums.first.map { samples[$0 - dropped].value }
        case .rate:
            guard count >= 2 else { return nil }
            let first = samples[slide.start - dropped]
            let last = samples[samples.count - 1]
            guard last.at > first.at else { return nil }
            return (last.value - first.value) / (Double(last.at - first.at) / 1_000)
        }
    }

    private static func push(_ value: Double, index: Int, into slide: inout Slide, samples: Deque<Sample>, dropped: Int) {
        slide.sum += value
        while let last = slide.minimums.last, samples[last - dropped].value >= value { slide.minimums.removeLast() }
        slide.minimums.append(index)
        while let last = slide.maximums.last, samples[last - dropped].value <= value { slide.maximums.removeLast() }
        slide.maximums.append(index)
    }
}
