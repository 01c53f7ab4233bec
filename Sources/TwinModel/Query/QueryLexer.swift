/// Splits query text into tokens, counting positions in Unicode code points.
///
/// Strings take single or double quotes with JSON's backslash escapes (`\'` too); numbers are JSON
/// numbers without sign (the parser applies `-`). Anything else outside the grammar's symbols is an error.
struct QueryLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Every token of the text, ending with `.end`.
    static func tokens(of text: String) throws(QueryError) -> [QueryToken] {
        var lexer = QueryLexer(text)
        var tokens: [QueryToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func text(from start: Int) -> String {
        var string = String.UnicodeScalarView()
        string.append(contentsOf: scalars[start..<index])
        return String(string)
    }

    mutating func next() throws(QueryError) -> QueryToken {
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        let start = index
        guard let scalar = peek() else { return QueryToken(kind: .end, position: start, text: "") }
        if Self.isIdentifierStart(scalar) {
            index += 1
            while let next = peek(), Self.isIdentifierPart(next) { index += 1 }
            let word = text(from: start)
            return QueryToken(kind: .word(word), position: start, text: word)
        }
        if scalar == "$" {
            index += 1
            guard let next = peek(), Self.isIdentifierStart(next) else {
                throw .expected("a name after '$'", found: describe(peek()), at: index)
            }
            while let next = peek(), Self.isIdentifierPart(next) { index += 1 }
            let name = text(from: start)
            return QueryToken(kind: .systemName(name), position: start, text: name)
        }
        if scalar == "'" || scalar == "\"" { return try string(quote: scalar) }
        if ("0"..."9").contains(scalar) { return try number() }
        if let symbol = symbol() {
            return QueryToken(kind: .symbol(symbol), position: start, text: symbol.rawValue)
        }
        throw QueryError(.syntax, at: start, message: "unexpected character \(describe(scalar))")
    }

    private func describe(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "end of query" }
        if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
            return "U+" + String(scalar.value, radix: 16, uppercase: true)
        }
        return "'\(scalar)'"
    }

    private mutating func symbol() -> QueryToken.Symbol? {
        guard let scalar = peek() else { return nil }
        let pairs: [(String, QueryToken.Symbol)] = [
            ("..", .dotDot), ("!=", .notEqual), ("<>", .notEqual), ("<=", .lessOrEqual), (">=", .greaterOrEqual),
        ]
        if let next = peek(1) {
            for (text, symbol) in pairs where text.unicodeScalars.elementsEqual([scalar, next]) {
                index += 2
                return symbol
            }
        }
        guard let symbol = QueryToken.Symbol(rawValue: String(scalar)), symbol != .dotDot, symbol != .notEqual else { return nil }
        index += 1
        return symbol
    }

    private mutating func string(quote: Unicode.Scalar) throws(QueryError) -> QueryToken {
        let start = index
        index += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else {
                throw QueryError(.syntax, at: start, expected: "closing \(quote)", message: "unterminated string")
            }
            index += 1
            if scalar == quote { break }
            guard scalar == "\\" else {
                if scalar == "\u{0}" { throw Self.nul(at: index - 1) }
                value.append(scalar)
                continue
            }
            let escapeStart = index - 1
            guard let escaped = peek() else {
                throw QueryError(.syntax, at: start, expected: "closing \(quote)", message: "unterminated string")
            }
            index += 1
            switch escaped {
            case "\"", "'", "\\", "/": value.append(escaped)
            case "b": value.append("\u{08}")
            case "f": value.append("\u{0C}")
            case "n": value.append("\n")
            case "r": value.append("\r")
            case "t": value.append("\t")
            case "u":
                let decoded = try unicodeEscape(at: escapeStart)
                if decoded == "\u{0}" { throw Self.nul(at: escapeStart) }
                value.append(decoded)
            default:
                throw QueryError(.syntax, at: escapeStart, message: "invalid escape sequence '\\\(escaped)'")
            }
        }
        return QueryToken(kind: .string(String(value)), position: start, text: text(from: start))
    }

    /// SQLite takes bound text as C strings, so U+0000 would silently end it: refuse it instead.
    private static func nul(at position: Int) -> QueryError {
        QueryError(.syntax, at: position, message: "strings may not contain U+0000")
    }

    /// The code point of `\uXXXX` (a surrogate pair as two escapes), `index` just after the `u`.
    private mutating func unicodeEscape(at escapeStart: Int) throws(QueryError) -> Unicode.Scalar {
        let high = try hexQuad(at: escapeStart)
        if (0xD800...0xDBFF).contains(high) {
            guard peek() == "\\", peek(1) == "u" else {
                throw QueryError(.syntax, at: escapeStart, message: "unpaired surrogate in \\u escape")
            }
            index += 2
            let low = try hexQuad(at: index - 2)
            guard (0xDC00...0xDFFF).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
                throw QueryError(.syntax, at: escapeStart, message: "unpaired surrogate in \\u escape")
            }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw QueryError(.syntax, at: escapeStart, message: "unpaired surrogate in \\u escape")
        }
        return scalar
    }

    private mutating func hexQuad(at escapeStart: Int) throws(QueryError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = peek(), let digit = Self.hexValue(scalar) else {
                throw QueryError(.syntax, at: escapeStart, message: "invalid escape sequence: \\u needs four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f": scalar.value - 0x61 + 10
        case "A"..."F": scalar.value - 0x41 + 10
        default: nil
        }
    }

    private mutating func number() throws(QueryError) -> QueryToken {
        let start = index
        var isInteger = true
        skipDigits()
        // A fraction needs a digit after the dot, so `1..3` stays a range.
        if peek() == ".", let next = peek(1), ("0"..."9").contains(next) {
            isInteger = false
            index += 1
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            let mark = index
            index += 1
            if peek() == "+" || peek() == "-" { index += 1 }
            if let next = peek(), ("0"..."9").contains(next) {
                isInteger = false
                skipDigits()
            } else {
                index = mark
            }
        }
        if let next = peek(), Self.isIdentifierPart(next) {
            throw QueryError(.syntax, at: index, message: "unexpected character \(describe(next)) in a number")
        }
        let written = text(from: start)
        if isInteger, let value = Int64(written) {
            return QueryToken(kind: .integer(value), position: start, text: written)
        }
        guard let value = Double(written), value.isFinite else {
            throw QueryError(.syntax, at: start, message: "number \(written) is out of range")
        }
        return QueryToken(kind: .double(value), position: start, text: written)
    }

    private mutating func skipDigits() {
        while let next = peek(), ("0"..."9").contains(next) { index += 1 }
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar)
    }
}
