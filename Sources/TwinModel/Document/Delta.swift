import OrderedCollections

/// The difference between desired and reported state that a device still has to apply.
///
/// The rules are AWS IoT Device Shadow's (see PROTOCOLS.md): only desired keys appear, each whose value
/// differs from reported or is missing from it; objects compare member by member; arrays compare and
/// replace whole; keys only in reported never appear. No desired section means no delta.
public enum Delta {
    /// The delta of `desired` against `reported`, or `nil` when they agree.
    public static func between(desired: JSONObject, reported: JSONObject) -> JSONObject? {
        var delta = JSONObject()
        for (key, wanted) in desired {
            guard let actual = reported[key] else {
                delta[key] = wanted
                continue
            }
            if case .object(let wantedObject) = wanted, case .object(let actualObject) = actual {
                if let nested = between(desired: wantedObject, reported: actualObject) {
                    delta[key] = .object(nested)
                }
            } else if !wanted.isJSONEqual(to: actual) {
                delta[key] = wanted
            }
        }
        return delta.isEmpty ? nil : delta
    }
}
