extension JSONValue {
    /// A map of strings as a JSON object, its members sorted by name so the encoding is stable.
    public static func strings(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}
