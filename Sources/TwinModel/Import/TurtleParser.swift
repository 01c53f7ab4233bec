/// A parser for RDF 1.1 Turtle into triples.
///
/// Supports `@prefix`/`PREFIX`, `@base`/`BASE`, IRIs (resolved against the base), prefixed names with
/// escapes, `a`, predicate lists (`;`), object lists (`,`), blank nodes (`_:x`, `[]`, `[ … ]`), collections
/// (`( … )` as `rdf:first`/`rdf:rest`), literals (short and long strings in either quote, `^^datatype`,
/// `@lang`), integers, decimals, doubles and booleans, and comments. Errors carry line and column.
/// Relative IRIs are joined to the base without removing `.`/`..` segments.
public struct TurtleParser: Sendable {
    public init() {}

    public func parse(_ bytes: [UInt8]) throws(TurtleSyntaxError) -> [RDFTriple] {
        var reader = TurtleReader(bytes: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)
        try reader.document()
        return reader.triples
    }

    public func parse(_ text: String) throws(TurtleSyntaxError) -> [RDFTriple] {
        try parse(Array(text.utf8))
    }
}

struct TurtleReader {
    let bytes: [UInt8]
    var index = 0
    var prefixes: [String: String] = [:]
    var base: String?
    var triples: [RDFTriple] = []
    var generated = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Statements

    mutating func document() throws(TurtleSyntaxError) {
        while true {
            skipTrivia()
            guard index < bytes.count else { return }
            try statement()
        }
    }

    private mutating func statement() throws(TurtleSyntaxError) {
        if peek("@prefix") {
            index += 7
            try prefixDirective()
            try expect(".")
        } else if peek("@base") {
            index += 5
            try baseDirective()
            try expect(".")
        } else if peekKeyword("PREFIX") {
            index += 6
            try prefixDirective()
        } else if peekKeyword("BASE") {
            index += 4
            try baseDirective()
        } else {
            try triplesStatement()
            try expect(".")
        }
    }

    private mutating func prefixDirective() throws(TurtleSyntaxError) {
        skipTrivia()
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        let prefix = String(decoding: bytes[start..<index], as: UTF8.self)
        guard current == UInt8(ascii: ":") else { throw error("expected \"prefix:\" in a prefix directive") }
        if prefix.hasSuffix(".") { throw error("a prefix may not end with \".\"") }
        index += 1
        skipTrivia()
        guard current == UInt8(ascii: "<") else { throw error("expected <IRI> in a prefix directive") }
        prefixes[prefix] = try iriReference()
    }

    private mutating func baseDirective() throws(TurtleSyntaxError) {
        skipTrivia()
        guard current == UInt8(ascii: "<") else { throw error("expected <IRI> in a base directive") }
        base = try iriReference()
    }

    private mutating func triplesStatement() throws(TurtleSyntaxError) {
        if current == UInt8(ascii: "[") {
            let subject = try blankNodePropertyList()
            skipTrivia()
            if current != UInt8(ascii: ".") { try predicateObjectList(subject) }
        } else {
            let subject = try term(position: "subject")
            try predicateObjectList(subject)
        }
    }

    private mutating func predicateObjectList(_ subject: RDFTerm) throws(TurtleSyntaxError) {
        while true {
            let predicate = try verb()
            repeat {
                skipTrivia()
                triples.append(RDFTriple(subject, predicate, try object()))
                skipTrivia()
            } while consume(",")
            guard consume(";") else { return }
            // `;` may repeat and may end the list.
            repeat { skipTrivia() } while consume(";")
            if index >= bytes.count || current == UInt8(ascii: ".") || current == UInt8(ascii: "]") { return }
        }
    }

    private mutating func verb() throws(TurtleSyntaxError) -> String {
        skipTrivia()
        if current == UInt8(ascii: "a"), index + 1 >= bytes.count || !Self.isNameByte(bytes[index + 1]) && bytes[index + 1] != UInt8(ascii: ":") {
            index += 1
            return RDFVocabulary.type
        }
        guard case .iri(let iri) = try term(position: "predicate") else { throw error("a predicate must be an IRI") }
        return iri
    }

    private mutating func object() throws(TurtleSyntaxError) -> RDFTerm {
        switch current ?? 0 {
        case UInt8(ascii: "["): return try blankNodePropertyList()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return try literal()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "."):
            if index + 1 < bytes.count, Self.isDigit(bytes[index + 1]) { return try number() }
            throw error("expected an object")
        default:
            if peekWord("true") { index += 4; return .literal("true", datatype: RDFVocabulary.xsd + "boolean", language: nil) }
            if peekWord("false") { index += 5; return .literal("false", datatype: RDFVocabulary.xsd + "boolean", language: nil) }
            return try term(position: "object")
        }
    }

    /// An IRI, prefixed name, blank node label or collection.
    private mutating func term(position: String) throws(TurtleSyntaxError) -> RDFTerm {
        skipTrivia()
        guard index < bytes.count else { throw error("expected a \(position), found the end of the file") }
        switch bytes[index] {
        case UInt8(ascii: "<"): return .iri(try iriReference())
        case UInt8(ascii: "("): return try collection()
        case UInt8(ascii: "_") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ":"):
            index += 2
            let label = try localName()
            guard !label.isEmpty else { throw error("expected a blank node label after \"_:\"") }
            return .blank(label)
        case UInt8(ascii: "["):
            if position == "subject" || position == "object" { return try blankNodePropertyList() }
            throw error("a blank node cannot be a \(position)")
        default:
            return .iri(try prefixedName(position: position))
        }
    }

    private mutating func blankNodePropertyList() throws(TurtleSyntaxError) -> RDFTerm {
        try expect("[")
        let node = newBlank()
        skipTrivia()
        if current != UInt8(ascii: "]") { try predicateObjectList(node) }
        try expect("]")
        return node
    }

    private mutating func collection() throws(TurtleSyntaxError) -> RDFTerm {
        try expect("(")
        var items: [RDFTerm] = []
        while true {
            skipTrivia()
            guard index < bytes.count else { throw error("unterminated collection") }
            if consume(")") { break }
            items.append(try object())
        }
        var list = RDFTerm.iri(RDFVocabulary.nil_)
        for item in items.reversed() {
            let node = newBlank()
            triples.append(RDFTriple(node, RDFVocabulary.first, item))
            triples.append(RDFTriple(node, RDFVocabulary.rest, list))
            list = node
        }
        return list
    }

    mutating func newBlank() -> RDFTerm {
        generated += 1
        return .blank("%b\(generated)")
    }
}
