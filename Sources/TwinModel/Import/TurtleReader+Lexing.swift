/// Tokens of Turtle: white space and comments, IRIs, names, literals and numbers.
extension TurtleReader {
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipTrivia() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            default: return
            }
        }
    }

    func peek(_ text: String) -> Bool {
        bytes[index...].starts(with: text.utf8)
    }

    /// A case-insensitive SPARQL-style keyword followed by white space.
    func peekKeyword(_ keyword: String) -> Bool {
        let end = index + keyword.utf8.count
        guard end < bytes.count else { return false }
        let word = String(decoding: bytes[index..<end], as: UTF8.self)
        return word.uppercased() == keyword && [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "<")].contains(bytes[end])
    }

    /// `word` not followed by a name character (so `true` but not `trueish` or `true:x`).
    func peekWord(_ word: String) -> Bool {
        guard peek(word) else { return false }
        let end = index + word.utf8.count
        return end >= bytes.count || !(Self.isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: ":"))
    }

    mutating func consume(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, current == ascii else { return false }
        index += 1
        return true
    }

    mutating func expect(_ character: Character) throws(TurtleSyntaxError) {
        skipTrivia()
        guard consume(character) else {
            let found = current.map { "\"\(String(decoding: [$0], as: UTF8.self))\"" } ?? "the end of the file"
            throw error("expected \"\(character)\", found \(found)")
        }
    }

    /// An error at the current position (or at `offset`).
    func error(_ reason: String, at offset: Int? = nil) -> TurtleSyntaxError {
        let position = min(offset ?? index, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<position] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return TurtleSyntaxError(line: line, column: column, reason: reason)
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// Letters, digits, `_`, `-`, `.` and any non-ASCII byte (PN_CHARS, approximately).
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), 0x80...0xFF:
            true
        default: false
        }
    }

    // MARK: IRIs and names

    /// `<…>` with `\u`/`\U` escapes, resolved against the base.
    mutating func iriReference() throws(TurtleSyntaxError) -> String {
        let start = index
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated IRI", at: start) }
            switch byte {
            case UInt8(ascii: ">"):
                index += 1
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                return Self.resolve(String(scalars), against: base)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
                index += 1
                guard current == UInt8(ascii: "u") || current == UInt8(ascii: "U") else { throw error("only \\u and \\U escapes are allowed in an IRI") }
                scalars.append(try unicodeEscape())
            case 0x00...0x20, UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"),
                UInt8(ascii: "^"), UInt8(ascii: "`"):
                throw error("character not allowed in an IRI")
            default:
                raw.append(byte)
                index += 1
            }
        }
    }

    /// `\uXXXX` or `\UXXXXXXXX`, the index on the `u`.
    mutating func unicodeEscape() throws(TurtleSyntaxError) -> Unicode.Scalar {
        let length = current == UInt8(ascii: "u") ? 4 : 8
        let start = index - 1
        index += 1
        guard index + length <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<index + length], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(value)
        else { throw error("invalid unicode escape", at: start) }
        index += length
        return scalar
    }

    mutating func prefixedName(position: String) throws(TurtleSyntaxError) -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard current == UInt8(ascii: ":") else {
            index = start
            throw error("expected \(position == "object" ? "an" : "a") \(position) (an IRI, a prefixed name or a blank node)")
        }
        let prefix = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let namespace = prefixes[prefix] else { throw error("undeclared prefix \"\(prefix):\"", at: start) }
        index += 1
        return namespace + (try localName())
    }

    /// PN_LOCAL (or a blank node label): name characters, `:`, `%XX` and `\`-escapes; never ends with `.`.
    mutating func localName() throws(TurtleSyntaxError) -> String {
        var result: [UInt8] = []
        var trailingDots = 0
        while let byte = current {
            if Self.isNameByte(byte) || byte == UInt8(ascii: ":") {
                trailingDots = byte == UInt8(ascii: ".") ? trailingDots + 1 : 0
                result.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "%") {
                trailingDots = 0
                guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else { throw error("invalid % escape") }
                result += bytes[index...index + 2]
                index += 3
            } else if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, Array("_~.-!$&'()*+,;=/?#@%".utf8).contains(bytes[index + 1]) {
                trailingDots = 0
                result.append(bytes[index + 1])
                index += 2
            } else {
                break
            }
        }
        result.removeLast(trailingDots)
        index -= trailingDots
        return String(decoding: result, as: UTF8.self)
    }

    /// Joins a relative reference to the base (RFC 3986 section 5.2, without dot-segment removal).
    static func resolve(_ reference: String, against base: String?) -> String {
        if let colon = reference.firstIndex(of: ":"),
            reference[..<colon].first?.isLetter == true,
            reference[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        {
            return reference
        }
        guard let base else { return reference }
        let noFragment = base.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? base
        if reference.isEmpty { return noFragment }
        if reference.hasPrefix("#") { return noFragment + reference }
        let scheme = base.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        if reference.hasPrefix("//") { return scheme + ":" + reference }
        let afterScheme = base.dropFirst(scheme.count + 1)
        let authority = afterScheme.hasPrefix("//") ? "//" + afterScheme.dropFirst(2).prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" }) : ""
        if reference.hasPrefix("/") { return scheme + ":" + authority + reference }
        if reference.hasPrefix("?") {
            return String(noFragment.prefix(while: { $0 != "?" })) + reference
        }
        let path = noFragment.prefix(while: { $0 != "?" })
        guard let slash = path.lastIndex(of: "/"), path.distance(from: path.startIndex, to: slash) >= scheme.count + 1 + authority.count else {
            return scheme + ":" + authority + "/" + reference
        }
        return String(path[...slash]) + reference
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
