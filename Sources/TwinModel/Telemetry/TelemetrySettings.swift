/// A tenant's telemetry retention: how long raw data (the log and raw points) and rollups are kept, and the
/// downsampling applied to raw points on their way to the archive.
public struct TelemetrySettings: Sendable, Equatable {
    /// Milliseconds raw data is kept; then its points go to the archive and the log entries are deleted.
    public var rawRetention: Int64 = 604_800_000
    /// Milliseconds minute and hour rollups are kept.
    public var rollupRetention: Int64 = 34_560_000_000
    public var downsampling: [DownsamplingRule] = []

    public init(rawRetention: Int64 = 604_800_000, rollupRetention: Int64 = 34_560_000_000, downsampling: [DownsamplingRule] = []) {
        self.rawRetention = rawRetention
        self.rollupRetention = rollupRetention
        self.downsampling = downsampling
    }
}

/// Which raw points of a metric the archive keeps: a point is dropped when it is within `deadband` of the
/// last kept value, or sooner than `minimumInterval` after it. `metric` `*` applies to every metric
/// without a rule of its own.
public struct DownsamplingRule: Sendable, Equatable {
    public var metric: String
    public var deadband: Double?
    public var minimumInterval: Int64?

    public init(metric: String, deadband: Double? = nil, minimumInterval: Int64? = nil) {
        self.metric = metric
        self.deadband = deadband
        self.minimumInterval = minimumInterval
    }

    public var json: JSONValue {
        var object: JSONObject = ["metric": .string(metric)]
        if let deadband { object["deadband"] = .double(deadband) }
        if let minimumInterval { object["minIntervalMillis"] = .int(minimumInterval) }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let metric = json["metric"]?.stringValue else { return nil }
        self.init(metric: metric, deadband: json["deadband"]?.doubleValue, minimumInterval: json["minIntervalMillis"]?.intValue)
    }
}

/// Keeps the raw points the downsampling rules let through, per twin and metric, in time order.
public struct Downsampler {
    let rules: [DownsamplingRule]
    private var lastKept: [String: (at: Int64, value: Double)] = [:]

    public init(rules: [DownsamplingRule]) {
        self.rules = rules
    }

    /// Whether to keep this point; call in time order per twin and metric.
    public mutating func keep(twin: String, metric: String, at: Int64, value: Double) -> Bool {
        guard let rule = rules.first(where: { $0.metric == metric }) ?? rules.first(where: { $0.metric == "*" }) else { return true }
        let key = twin + "\u{0}" + metric
        if let last = lastKept[key] {
            if let interval = rule.minimumInterval, at - last.at < interval { return false }
            if let deadband = rule.deadband, abs(value - last.value) <= deadband { return false }
        }
        lastKept[key] = (at, value)
        return true
    }
}
