/// Semantic types (DTDL v2 core, v3 `quantitativeTypes` extension) and the units each accepts.
enum DTDLSemanticTypes {
    static let unitsByKind: [String: Set<String>] = [
        "acceleration": ["metrePerSecondSquared", "centimetrePerSecondSquared", "gForce"],
        "angle": ["radian", "degreeOfArc", "minuteOfArc", "secondOfArc", "turn"],
        "angularAcceleration": ["radianPerSecondSquared"],
        "angularVelocity": ["radianPerSecond", "degreePerSecond", "revolutionPerSecond", "revolutionPerMinute"],
        "area": ["squareMetre", "squareCentimetre", "squareMillimetre", "squareKilometre", "hectare", "squareFoot",
                 "squareInch", "acre"],
        "capacitance": ["farad", "millifarad", "microfarad", "nanofarad", "picofarad"],
        "current": ["ampere", "microampere", "milliampere"],
        "dataRate": ["bitPerSecond", "kibibitPerSecond", "mebibitPerSecond", "gibibitPerSecond", "tebibitPerSecond",
                     "exbibitPerSecond", "zebibitPerSecond", "yobibitPerSecond", "bytePerSecond", "kibibytePerSecond",
                     "mebibytePerSecond", "gibibytePerSecond", "tebibytePerSecond", "exbibytePerSecond",
                     "zebibytePerSecond", "yobibytePerSecond"],
        "dataSize": ["bit", "kibibit", "mebibit", "gibibit", "tebibit", "exbibit", "zebibit", "yobibit", "byte",
                     "kibibyte", "mebibyte", "gibibyte", "tebibyte", "exbibyte", "zebibyte", "yobibyte"],
        "density": ["kilogramPerCubicMetre", "gramPerCubicMetre"],
        "length": ["metre", "centimetre", "millimetre", "micrometre", "nanometre", "kilometre", "foot", "inch", "mile",
                   "nauticalMile", "astronomicalUnit"],
        "charge": ["coulomb"],
        "energy": ["joule", "kilojoule", "megajoule", "gigajoule", "electronvolt", "megaelectronvolt", "kilowattHour"],
        "force": ["newton", "pound", "ounce", "ton"],
        "frequency": ["hertz", "kilohertz", "megahertz", "gigahertz"],
        "illuminance": ["lux", "footcandle"],
        "inductance": ["henry", "millihenry", "microhenry"],
        "luminance": ["candelaPerSquareMetre"],
        "power": ["watt", "microwatt", "milliwatt", "kilowatt", "megawatt", "gigawatt", "horsepower",
                  "kilowattHourPerYear"],
        "luminousFlux": ["lumen"],
        "luminousIntensity": ["candela"],
        "magneticFlux": ["weber", "maxwell"],
        "magneticInduction": ["tesla"],
        "mass": ["kilogram", "gram", "milligram", "microgram", "tonne", "slug"],
        "massFlowRate": ["gramPerSecond", "kilogramPerSecond", "gramPerHour", "kilogramPerHour"],
        "pressure": ["pascal", "kilopascal", "bar", "millibar", "millimetresOfMercury", "poundPerSquareInch",
                     "inchesOfMercury", "inchesOfWater"],
        "ratio": ["percent", "unity"],
        "resistance": ["ohm", "milliohm", "kiloohm", "megaohm"],
        "soundPressure": ["decibel", "bel"],
        "temperature": ["kelvin", "degreeCelsius", "degreeFahrenheit"],
        "time": ["second", "millisecond", "microsecond", "nanosecond", "minute", "hour", "day", "year"],
        "torque": ["newtonMetre"],
        "velocity": ["metrePerSecond", "centimetrePerSecond", "kilometrePerSecond", "metrePerHour", "kilometrePerHour",
                     "milePerHour", "milePerSecond", "knot"],
        "voltage": ["volt", "millivolt", "microvolt", "kilovolt", "megavolt"],
        "volume": ["cubicMetre", "cubicCentimetre", "litre", "millilitre", "cubicFoot", "cubicInch", "fluidOunce",
                   "gallon"],
        "volumeFlowRate": ["litrePerSecond", "millilitrePerSecond", "litrePerHour", "millilitrePerHour"],
    ]

    /// Semantic type → the unit kind it takes.
    static let types: [String: String] = [
        "Acceleration": "acceleration", "Angle": "angle", "AngularAcceleration": "angularAcceleration",
        "AngularVelocity": "angularVelocity", "Area": "area", "Capacitance": "capacitance", "Current": "current",
        "DataRate": "dataRate", "DataSize": "dataSize", "Density": "density", "Distance": "length",
        "ElectricCharge": "charge", "Energy": "energy", "Force": "force", "Frequency": "frequency",
        "Humidity": "density", "Illuminance": "illuminance", "Inductance": "inductance", "Latitude": "angle",
        "Longitude": "angle", "Length": "length", "Luminance": "luminance", "Luminosity": "power",
        "LuminousFlux": "luminousFlux", "LuminousIntensity": "luminousIntensity", "MagneticFlux": "magneticFlux",
        "MagneticInduction": "magneticInduction", "Mass": "mass", "MassFlowRate": "massFlowRate", "Power": "power",
        "Pressure": "pressure", "RelativeHumidity": "ratio", "Resistance": "resistance",
        "SoundPressure": "soundPressure", "Temperature": "temperature", "Thrust": "force", "TimeSpan": "time",
        "Torque": "torque", "Velocity": "velocity", "Voltage": "voltage", "Volume": "volume",
        "VolumeFlowRate": "volumeFlowRate",
    ]

    /// The semantic type a term or `dtmi:standard:class:X;2` names (in v2 also the old `SemanticType/X` form).
    static func semanticType(_ value: String, version: Int) -> String? {
        if types[value] != nil { return value }
        if version == 2, value.hasPrefix("SemanticType/") {
            let term = String(value.dropFirst("SemanticType/".count))
            return types[term] != nil ? term : nil
        }
        let prefix = "dtmi:standard:class:"
        if value.hasPrefix(prefix), value.hasSuffix(";\(version)") {
            let term = String(value.dropFirst(prefix.count).dropLast(2))
            if types[term] != nil { return term }
        }
        return nil
    }

    /// The unit a term or `dtmi:standard:unit:x;2` names, when it is one of `type`'s units.
    static func unit(_ value: String, for type: String, version: Int) -> String? {
        guard let kind = types[type], let units = unitsByKind[kind] else { return nil }
        var term = value
        let prefix = "dtmi:standard:unit:"
        if value.hasPrefix(prefix), value.hasSuffix(";\(version)") {
            term = String(value.dropFirst(prefix.count).dropLast(2))
        }
        return units.contains(term) ? term : nil
    }

    /// DTDL v2 classes that are not co-types: the abstract `SemanticType`, `Unit` and the unit classes.
    static func isNonCotypeClass(_ term: String) -> Bool {
        if term == "SemanticType" || term == "Unit" { return true }
        guard term.hasSuffix("Unit"), let first = term.first else { return false }
        let kind = first.lowercased() + term.dropFirst().dropLast(4)
        return unitsByKind[kind] != nil
    }

    /// IoT Central (`dtmi:iotcentral:context;2`) co-types → the schemas they accept (`nil`: an Enum).
    static let centralTypes: [String: Set<String>?] = [
        "AccelerationVector": ["vector"], "VelocityVector": ["vector"],
        "Location": ["geopoint", "point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon"],
        "Event": ["integer", "long", "double", "float", "string"],
        "State": nil,
    ]

    /// The IoT Central co-type a term or `dtmi:iotcentral:class:X;2` names.
    static func centralType(_ value: String) -> String? {
        var term = value
        let prefix = "dtmi:iotcentral:class:"
        if value.hasPrefix(prefix), value.hasSuffix(";2") { term = String(value.dropFirst(prefix.count).dropLast(2)) }
        return centralTypes[term] != nil ? term : nil
    }

    /// The IoT Central schemas `vector` and `geopoint`, as terms or `dtmi:iotcentral:schema:X;2`.
    static func centralSchema(_ value: String) -> String? {
        for term in ["vector", "geopoint"] where value == term || value == "dtmi:iotcentral:schema:\(term);2" { return term }
        return nil
    }
}
