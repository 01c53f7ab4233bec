/// What an element's `@context` (its own, or inherited) makes available.
struct DTDLContext: Sendable, Equatable {
    /// DTDL language version, 2 or 3.
    var version: Int
    /// `dtmi:dtdl:extension:quantitativeTypes;1` (v3) — semantic types and units. Always on in v2.
    var semanticTypes: Bool
    /// An extension this parser does not model is in scope, so undefined terms may come from it.
    var openExtension: Bool
    /// `dtmi:iotcentral:context;2` is in scope: its `dtmi:iotcentral:` identifiers are reserved.
    var iotCentral = false

    /// Undefined co-types (and the properties they bring) are tolerated.
    var allowsUndefinedTerms: Bool { version == 2 || openExtension }

    static let knownOpenExtensions: Set<String> = [
        "dtmi:iotcentral:context;2",
        "dtmi:dtdl:extension:historization;1", "dtmi:dtdl:extension:annotation;1",
        "dtmi:dtdl:extension:overriding;1", "dtmi:dtdl:extension:mqtt;1", "dtmi:dtdl:extension:mqtt;2",
        "dtmi:dtdl:extension:requirement;1", "dtmi:dtdl:extension:initialization;1",
    ]

    /// Applies an `@context` value; `inherited` is `nil` at the top of a document.
    static func resolve(_ value: JSONValue, inherited: DTDLContext?, options: DTDLParseOptions) -> DTDLContextResolution {
        let entries: [JSONValue]
        switch value {
        case .string: entries = [value]
        case .array(let array): entries = array
        default: return .failure("@context must be a string or an array of strings, found \(value.typeName)")
        }
        var strings: [String] = []
        for entry in entries {
            guard let string = entry.stringValue else {
                return .failure("@context entries must be strings, found \(entry.typeName)")
            }
            strings.append(string)
        }
        var context = inherited
        for (position, string) in strings.enumerated() {
            guard let dtmi = DTMI(string), dtmi.hasVersion, dtmi.fragment.isEmpty else {
                return .failure("@context value \"\(string)\" is not a DTMI with a version")
            }
            if dtmi.versionless == "dtmi:dtdl:context" {
                let version = dtmi.majorVersion
                guard dtmi.minorVersion == 0, version == 2 || version == 3 else {
                    return .failure("unsupported DTDL context \"\(string)\"")
                }
                guard version <= options.maximumDTDLVersion else {
                    return .failure("DTDL context \"\(string)\" exceeds the allowed version \(options.maximumDTDLVersion)")
                }
                let precededOnlyByCentral = strings[..<position].allSatisfy { $0 == "dtmi:iotcentral:context;2" }
                if let inherited {
                    if version > inherited.version { return .failure("\"\(string)\" cannot appear inside a DTDL v\(inherited.version) document") }
                    if position > 0, !(version == 2 && precededOnlyByCentral) {
                        return .failure("the DTDL context must come first in @context")
                    }
                    continue
                }
                if context == nil {
                    guard position == 0 || (version == 2 && precededOnlyByCentral) else {
                        return .failure("the DTDL context must come first in @context")
                    }
                    context = DTDLContext(version: version, semanticTypes: version == 2, openExtension: position > 0,
                                          iotCentral: position > 0)
                }
                continue
            }
            guard context != nil || strings.contains(where: { $0.hasPrefix("dtmi:dtdl:context;") }) else {
                return .failure("the top-level @context must include a DTDL context")
            }
            if string == "dtmi:dtdl:extension:quantitativeTypes;1" {
                context?.semanticTypes = true
            } else if knownOpenExtensions.contains(string) {
                context?.openExtension = true
                if string == "dtmi:iotcentral:context;2", context?.version == 2 { context?.iotCentral = true }
            } else if options.allowUndefinedExtensions {
                context?.openExtension = true
            } else {
                return .failure("undefined extension context \"\(string)\"")
            }
        }
        guard let context else { return .failure("the top-level @context must include a DTDL context") }
        return .success(context)
    }
}

/// How permissive parsing is, mirroring the official parser's options.
public struct DTDLParseOptions: Sendable, Equatable {
    /// Accept `@context` extensions this parser does not know, and the undefined terms they may define.
    public var allowUndefinedExtensions: Bool
    /// The highest DTDL version accepted (2 or 3).
    public var maximumDTDLVersion: Int
    /// The official parser's `DisallowUndefinedExtensions`: DTDL v2 still tolerates undefined co-type terms,
    /// but refuses a DTMI co-type (a reference to an extension type) unless an extension context is in scope.
    public var disallowUndefinedExtensions: Bool

    public init(allowUndefinedExtensions: Bool = false, maximumDTDLVersion: Int = 3, disallowUndefinedExtensions: Bool = false) {
        self.allowUndefinedExtensions = allowUndefinedExtensions
        self.maximumDTDLVersion = maximumDTDLVersion
        self.disallowUndefinedExtensions = disallowUndefinedExtensions
    }
}

/// The outcome of applying an `@context`.
enum DTDLContextResolution {
    case success(DTDLContext)
    case failure(String)
}
