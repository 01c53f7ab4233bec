/// gbXML's unit names (`lengthUnitEnum`, `areaUnitEnum`, `volumeUnitEnum`) and their factors to SI.
enum GbXMLUnit {
    /// Metres per unit; the schema's default is `Meters`.
    static let length: [String: Double] = [
        "Meters": 1, "Kilometers": 1_000, "Centimeters": 0.01, "Millimeters": 0.001,
        "Feet": 0.3048, "Inches": 0.0254, "Miles": 1_609.344,
    ]
    /// Square metres per unit; the schema's default is `SquareMeters`.
    static let area: [String: Double] = [
        "SquareMeters": 1, "SquareKilometers": 1e6, "SquareCentimeters": 1e-4, "SquareMillimeters": 1e-6,
        "SquareFeet": 0.09290304, "SquareInches": 0.00064516, "SquareMiles": 2_589_988.110336,
    ]
    /// Cubic metres per unit; the schema's default is `CubicMeters`.
    static let volume: [String: Double] = [
        "CubicMeters": 1, "CubicKilometers": 1e9, "CubicCentimeters": 1e-6, "CubicMillimeters": 1e-9,
        "CubicFeet": 0.028316846592, "CubicInches": 1.6387064e-5, "CubicYards": 0.764554857984,
        "CubicMiles": 4_168_181_825.440579584,
    ]

    /// The units a file declares on its root, with factors to SI.
    struct Declared {
        var length = (name: "Meters", factor: 1.0)
        var area = (name: "SquareMeters", factor: 1.0)
        var volume = (name: "CubicMeters", factor: 1.0)

        /// Reads `lengthUnit`, `areaUnit` and `volumeUnit`; an unknown unit is an error naming it.
        init(attributes: [String: String], location: String) throws(TwinModelError) {
            func pick(_ key: String, _ table: [String: Double], _ current: (name: String, factor: Double)) throws(TwinModelError)
                -> (name: String, factor: Double)
            {
                guard let name = attributes[key] else { return current }
                guard let factor = table[name] else {
                    throw .invalidImport(
                        location: location, reason: "unknown \(key) \"\(name)\"; expected one of \(table.keys.sorted().joined(separator: ", "))")
                }
                return (name, factor)
            }
            length = try pick("lengthUnit", GbXMLUnit.length, length)
            area = try pick("areaUnit", GbXMLUnit.area, area)
            volume = try pick("volumeUnit", GbXMLUnit.volume, volume)
        }

        init() {}
    }
}
