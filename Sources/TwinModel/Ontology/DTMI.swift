/// A Digital Twin Model Identifier: `dtmi:<segment>(:<segment>)*[;<major>[.<minor>]][#<fragment>]`.
///
/// Parsing follows the DTMI specification as the official parser's `dtmis/` table encodes it: segments
/// start with a letter or `_`, hold letters, digits and `_`, and do not end with `_`; the major version is
/// 1…999 999 999 without leading zeros, the optional minor 1…999 999 without leading zeros.
public struct DTMI: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public let labels: [String]
    /// 0 when the identifier carries no version.
    public let majorVersion: Int
    public let minorVersion: Int
    /// `"#frag"` or `""`.
    public let fragment: String

    public var description: String { rawValue }
    public var hasVersion: Bool { majorVersion > 0 }
    public var versionless: String { "dtmi:" + labels.joined(separator: ":") + fragment }
    /// A label or fragment starting with `_` is reserved for the parser's own identifiers.
    public var isReserved: Bool {
        labels.contains { $0.hasPrefix("_") } || fragment.hasPrefix("#_")
    }

    /// `dtmi:dtdl:…` and `dtmi:standard:…` belong to the language itself.
    public var hasReservedPrefix: Bool {
        labels.first == "dtdl" || labels.first == "standard"
    }

    public init?(_ text: String) {
        guard text.hasPrefix("dtmi:"), text.utf8.count <= 4096 else { return nil }
        var body = Substring(text.dropFirst(5))
        var fragment = ""
        if let hash = body.firstIndex(of: "#") {
            let frag = body[body.index(after: hash)...]
            if !frag.isEmpty, !Self.isLabel(frag) { return nil }
            fragment = "#" + frag
            body = body[..<hash]
        }
        var major = 0
        var minor = 0
        if let semicolon = body.firstIndex(of: ";") {
            let version = body[body.index(after: semicolon)...]
            let parts = version.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let first = Self.number(parts[0], maxDigits: 9) else { return nil }
            major = first
            if parts.count == 2 {
                guard let second = Self.number(parts[1], maxDigits: 6) else { return nil }
                minor = second
            }
            body = body[..<semicolon]
        }
        let labels = body.split(separator: ":", omittingEmptySubsequences: false)
        guard !labels.isEmpty, labels.allSatisfy({ Self.isLabel($0) }) else { return nil }
        self.rawValue = text
        self.labels = labels.map(String.init)
        self.majorVersion = major
        self.minorVersion = minor
        self.fragment = fragment
    }

    static func isLabel(_ label: Substring) -> Bool {
        guard let first = label.utf8.first, let last = label.utf8.last else { return false }
        guard isLetter(first) || first == UInt8(ascii: "_"), last != UInt8(ascii: "_") else { return false }
        return label.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    static func number(_ text: Substring, maxDigits: Int) -> Int? {
        guard !text.isEmpty, text.utf8.count <= maxDigits, text.utf8.allSatisfy(isDigit),
              text.utf8.first != UInt8(ascii: "0") else { return nil }
        return Int(text)
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
