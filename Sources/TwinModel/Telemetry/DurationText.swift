/// Durations as the API and rules write them: a whole number and a unit — `500ms`, `30s`, `5m`, `1h`, `7d`.
public enum DurationText {
    /// Milliseconds, or `nil` when `text` is no positive duration.
    public static func milliseconds(_ text: String) -> Int64? {
        let units: [(suffix: String, factor: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let number = Int64(digits), number > 0,
                number <= Int64.max / factor
            else { return nil }
            return number * factor
        }
        return nil
    }

    /// The largest whole unit: 604800000 → `7d`, 90000 → `90s`.
    public static func format(_ milliseconds: Int64) -> String {
        for (suffix, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(suffix)"
        }
        return "\(milliseconds)ms"
    }
}
