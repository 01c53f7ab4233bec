/// String, numeric and language-tagged literals.
extension TurtleReader {
    mutating func literal() throws(TurtleSyntaxError) -> RDFTerm {
        let lexical = try string()
        if current == UInt8(ascii: "@") {
            index += 1
            let start = index
            while let byte = current, byte.isASCIILetterOrDigit || (byte == UInt8(ascii: "-") && index > start) { index += 1 }
            guard index > start else { throw error("expected a language tag after \"@\"") }
            return .literal(lexical, datatype: nil, language: String(decoding: bytes[start..<index], as: UTF8.self))
        }
        if peek("^^") {
            index += 2
            guard case .iri(let datatype) = try datatypeTerm() else { throw error("a datatype must be an IRI") }
            return .literal(lexical, datatype: datatype, language: nil)
        }
        return .literal(lexical, datatype: nil, language: nil)
    }

    private mutating func datatypeTerm() throws(TurtleSyntaxError) -> RDFTerm {
        if current == UInt8(ascii: "<") { return .iri(try iriReference()) }
        return .iri(try prefixedName(position: "datatype"))
    }

    /// `"…"`, `'…'`, `"""…"""` or `'''…'''` with escapes; short strings may not span lines.
    private mutating func string() throws(TurtleSyntaxError) -> String {
        let start = index
        let quote = bytes[index]
        let long = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        index += long ? 3 : 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll(keepingCapacity: true)
        }
        while true {
            guard let byte = current else { throw error("unterminated string", at: start) }
            if byte == quote {
                if !long {
                    index += 1
                    break
                }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    // `""""` ends with the last three quotes: any extra quotes before them are content.
                    var end = index + 3
                    while end < bytes.count, bytes[end] == quote, end - index < 5 { end += 1 }
                    raw += Array(repeating: quote, count: end - index - 3)
                    index = end
                    break
                }
                raw.append(byte)
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                flush()
                index += 1
                guard let escaped = current else { throw error("unterminated string", at: start) }
                switch escaped {
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "'"): scalars.append("'")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    scalars.append(try unicodeEscape())
                    continue
                default: throw error("invalid escape \"\\\(String(decoding: [escaped], as: UTF8.self))\"", at: index - 1)
                }
                index += 1
            } else if !long, byte == 0x0A || byte == 0x0D {
                throw error("line break in a short string (use \"\"\" for long strings)")
            } else {
                raw.append(byte)
                index += 1
            }
        }
        flush()
        return String(scalars)
    }

    /// An integer, decimal or double, typed with its XSD datatype.
    mutating func number() throws(TurtleSyntaxError) -> RDFTerm {
        let start = index
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while let byte = current, Self.isDigit(byte) { index += 1; digits += 1 }
        var kind = "integer"
        if current == UInt8(ascii: "."), index + 1 < bytes.count, Self.isDigit(bytes[index + 1]) {
            kind = "decimal"
            index += 1
            while let byte = current, Self.isDigit(byte) { index += 1; digits += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            kind = "double"
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            var exponent = 0
            while let byte = current, Self.isDigit(byte) { index += 1; exponent += 1 }
            guard exponent > 0 else { throw error("expected digits in the exponent", at: start) }
        }
        guard digits > 0 else { throw error("expected a number", at: start) }
        return .literal(String(decoding: bytes[start..<index], as: UTF8.self), datatype: RDFVocabulary.xsd + kind, language: nil)
    }
}

extension UInt8 {
    fileprivate var isASCIILetterOrDigit: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
