import Foundation

/// One telemetry message as ingest stores it: a JSON object of metrics from one device's twin, stamped with
/// the server's time on arrival (authoritative: series and rules run on it) and the device's own time when
/// it sent one (`ts`), kept as metadata with the skew between the two.
public struct TelemetryMessage: Sendable, Equatable {
    public var tenant: String
    public var twin: String
    public var receivedAt: Timestamp
    public var deviceTime: Timestamp?
    /// The message's members other than `ts`.
    public let values: JSONObject
    /// The numeric metrics, nested objects flattened with `.` (`energy.kwh`), booleans as 0 and 1; strings,
    /// arrays and nulls are kept in the log and the twin but make no series. Worked out once: the store and
    /// the rules both read them.
    public let numericMetrics: [(name: String, value: Double)]

    public init(tenant: String, twin: String, receivedAt: Timestamp, deviceTime: Timestamp? = nil, values: JSONObject) {
        self.tenant = tenant
        self.twin = twin
        self.receivedAt = receivedAt
        self.deviceTime = deviceTime
        self.values = values
        numericMetrics = Self.flattenedNumbers(of: values)
    }

    public static func == (lhs: TelemetryMessage, rhs: TelemetryMessage) -> Bool {
        lhs.tenant == rhs.tenant && lhs.twin == rhs.twin && lhs.receivedAt == rhs.receivedAt && lhs.deviceTime == rhs.deviceTime
            && lhs.values == rhs.values
    }

    /// Why a payload is no telemetry.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notJSON(String)
        case notAnObject
        case badTimestamp(String)
        case empty

        public var description: String {
            switch self {
            case .notJSON(let reason): "telemetry must be a JSON object: \(reason)"
            case .notAnObject: "telemetry must be a JSON object of metrics"
            case .badTimestamp(let found): "ts must be an RFC 3339 time or epoch milliseconds, found \(found)"
            case .empty: "telemetry holds no metrics"
            }
        }
    }

    /// Most bytes one telemetry payload may have.
    public static let maximumPayloadBytes = 64 * 1024

    /// Parses a payload: a JSON object of metrics with an optional `ts` (RFC 3339, or epoch milliseconds or
    /// seconds as a number).
    public init(tenant: String, twin: String, payload: some Collection<UInt8>, receivedAt: Timestamp) throws(Problem) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(payload)
        } catch {
            throw .notJSON("\(error)")
        }
        guard case .object(var object) = value else { throw .notAnObject }
        var deviceTime: Timestamp?
        if let ts = object.removeValue(forKey: "ts") {
            guard let time = Self.time(ts) else { throw .badTimestamp(ts.description) }
            deviceTime = time
        }
        guard !object.isEmpty else { throw .empty }
        self.init(tenant: tenant, twin: twin, receivedAt: receivedAt, deviceTime: deviceTime, values: object)
    }

    /// The server's time minus the device's, when the device sent its time.
    public var skewMilliseconds: Int64? {
        deviceTime.map { receivedAt.milliseconds - $0.milliseconds }
    }

    private static func flattenedNumbers(of values: JSONObject) -> [(name: String, value: Double)] {
        var metrics: [(String, Double)] = []
        func visit(_ object: JSONObject, prefix: String) {
            for (key, value) in object {
                let name = prefix.isEmpty ? key : prefix + "." + key
                switch value {
                case .int(let number): metrics.append((name, Double(number)))
                case .double(let number) where number.isFinite: metrics.append((name, number))
                case .bool(let flag): metrics.append((name, flag ? 1 : 0))
                case .object(let nested): visit(nested, prefix: name)
                default: break
                }
            }
        }
        visit(values, prefix: "")
        return metrics
    }

    /// An RFC 3339 time.
    public static func time(string: String) -> Timestamp? {
        RFC3339.parse(string)
    }

    static func time(_ value: JSONValue) -> Timestamp? {
        switch value {
        case .int(let number):
            // Epoch seconds until the year 33658; milliseconds after.
            return Timestamp(milliseconds: number < 1_000_000_000_000 ? number * 1_000 : number)
        case .double(let number) where number.isFinite:
            return Timestamp(milliseconds: Int64((number < 1e12 ? number * 1_000 : number).rounded()))
        case .string(let text):
            return RFC3339.parse(text)
        default:
            return nil
        }
    }
}

/// RFC 3339 date-times (`2026-11-27T10:36:25.123Z`, `…+01:00`), with or without fractional seconds.
enum RFC3339 {
    static func parse(_ text: String) -> Timestamp? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return Timestamp(date) }
        let whole = ISO8601DateFormatter()
        whole.formatOptions = [.withInternetDateTime]
        return whole.date(from: text).map(Timestamp.init)
    }
}
