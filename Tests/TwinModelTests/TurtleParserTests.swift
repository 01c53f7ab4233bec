import Testing
@testable import TwinModel

@Suite("Turtle parser")
struct TurtleParserTests {
    static let ex = "http://example.org/"
    static let prelude = "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"

    static func parse(_ body: String) throws -> [RDFTriple] { try TurtleParser().parse(prelude + body) }
    static func iri(_ local: String) -> RDFTerm { .iri(ex + local) }
    static func literal(_ text: String, _ type: String? = nil, lang: String? = nil) -> RDFTerm {
        .literal(text, datatype: type.map { RDFVocabulary.xsd + $0 }, language: lang)
    }

    @Test func prefixesAndBaseInBothSyntaxes() throws {
        let triples = try TurtleParser().parse(
            """
            @base <http://base.org/a/b> .
            <c> <#p> </root> .
            PREFIX ex: <http://example.org/>
            base <http://other.org/x/>
            ex:s ex:p <y>, <?q>, <//host/z>, <urn:absolute> .
            """)
        #expect(triples[0] == RDFTriple(.iri("http://base.org/a/c"), "http://base.org/a/b#p", .iri("http://base.org/root")))
        #expect(triples[1...].map(\.object) == [
            .iri("http://other.org/x/y"), .iri("http://other.org/x/?q"), .iri("http://host/z"), .iri("urn:absolute"),
        ])
    }

    @Test func predicateAndObjectLists() throws {
        let triples = try Self.parse("ex:s a ex:C ; ex:p ex:o1 , ex:o2 ;; ex:q ex:o3 ; .\nex:t ex:p ex:u.")
        #expect(triples == [
            RDFTriple(Self.iri("s"), RDFVocabulary.type, Self.iri("C")),
            RDFTriple(Self.iri("s"), Self.ex + "p", Self.iri("o1")),
            RDFTriple(Self.iri("s"), Self.ex + "p", Self.iri("o2")),
            RDFTriple(Self.iri("s"), Self.ex + "q", Self.iri("o3")),
            RDFTriple(Self.iri("t"), Self.ex + "p", Self.iri("u")),
        ])
    }

    @Test func namesWithDotsColonsAndEscapes() throws {
        let triples = try Self.parse(#"ex:a.b ex:p ex:c. ex:d:e ex:p ex:f\,g%20h, ex:a ."#)
        #expect(triples.map(\.subject) == [Self.iri("a.b"), Self.iri("d:e"), Self.iri("d:e")])
        #expect(triples.map(\.object) == [Self.iri("c"), Self.iri("f,g%20h"), Self.iri("a")])
        let aName = try Self.parse("ex:a ex:p ex:o .")  // `a` only as a keyword when alone
        #expect(aName[0].subject == Self.iri("a"))
    }

    @Test func blankNodes() throws {
        let triples = try Self.parse("_:x ex:p [ ex:q 1 ] .\n[] ex:r _:x .\n[ ex:s ex:o ] .\n[ ex:t ex:o ] ex:u ex:v .")
        #expect(triples.count == 6)
        // A nested blank node's statements come before the statement that uses it.
        #expect(triples[0] == RDFTriple(.blank("%b1"), Self.ex + "q", Self.literal("1", "integer")))
        #expect(triples[1] == RDFTriple(.blank("x"), Self.ex + "p", .blank("%b1")))
        #expect(triples[2] == RDFTriple(.blank("%b2"), Self.ex + "r", .blank("x")))
        #expect(triples[3].subject == .blank("%b3") && triples[4].subject == .blank("%b4") && triples[5].subject == .blank("%b4"))
    }

    @Test func collections() throws {
        let triples = try Self.parse("ex:s ex:list ( 1 ex:o \"x\" ) ; ex:empty () .")
        let head = triples.first { $0.predicate == Self.ex + "list" }!.object
        var items: [RDFTerm] = []
        var node = head
        while node != .iri(RDFVocabulary.nil_) {
            items.append(triples.first { $0.subject == node && $0.predicate == RDFVocabulary.first }!.object)
            node = triples.first { $0.subject == node && $0.predicate == RDFVocabulary.rest }!.object
        }
        #expect(items == [Self.literal("1", "integer"), Self.iri("o"), .literal("x", datatype: nil, language: nil)])
        #expect(triples.contains(RDFTriple(Self.iri("s"), Self.ex + "empty", .iri(RDFVocabulary.nil_))))
    }

    @Test func literals() throws {
        let triples = try Self.parse(
            #"""
            ex:s ex:p "plain", 'single', "typed"^^xsd:string, "full"^^<http://example.org/T>, "chat"@fr, "colour"@en-GB,
              "esc \"q\" \t\n\u00E9\U0001F600 \\", """long "quoted"
            line""", '''single ''long''', """ends with quote"""" ,
              "" , """""" .
            """#)
        #expect(triples.map(\.object) == [
            .literal("plain", datatype: nil, language: nil), .literal("single", datatype: nil, language: nil),
            Self.literal("typed", "string"), .literal("full", datatype: Self.ex + "T", language: nil),
            .literal("chat", datatype: nil, language: "fr"), .literal("colour", datatype: nil, language: "en-GB"),
            .literal("esc \"q\" \t\né😀 \\", datatype: nil, language: nil),
            .literal("long \"quoted\"\nline", datatype: nil, language: nil),
            .literal("single ''long", datatype: nil, language: nil),
            .literal("ends with quote\"", datatype: nil, language: nil),
            .literal("", datatype: nil, language: nil), .literal("", datatype: nil, language: nil),
        ])
    }

    @Test func numbersAndBooleans() throws {
        let triples = try Self.parse("ex:s ex:p 1, -2, +3, 3.14, .5, 1e3, 1.5E-2, true, false .\nex:t ex:p 7.")
        #expect(triples.map(\.object) == [
            Self.literal("1", "integer"), Self.literal("-2", "integer"), Self.literal("+3", "integer"), Self.literal("3.14", "decimal"),
            Self.literal(".5", "decimal"), Self.literal("1e3", "double"), Self.literal("1.5E-2", "double"),
            Self.literal("true", "boolean"), Self.literal("false", "boolean"), Self.literal("7", "integer"),
        ])
    }

    @Test func commentsAndByteOrderMark() throws {
        let text = "\u{FEFF}# header\n" + Self.prelude + "ex:s # subject\n ex:p <http://x.org/#frag> ; # more\n ex:q \"# not a comment\" . # end"
        let triples = try TurtleParser().parse(Array(text.utf8))
        #expect(triples.map(\.object) == [.iri("http://x.org/#frag"), .literal("# not a comment", datatype: nil, language: nil)])
    }

    @Test(arguments: [
        ("ex:s ex:p ex:o", 3, 15, "expected \".\", found the end of the file"),
        ("ex:s ex:p\n  nope:o .", 4, 3, "undeclared prefix \"nope:\""),
        ("ex:s ex:p \"open .", 3, 11, "unterminated string"),
        ("ex:s ex:p \"two\nlines\" .", 3, 15, "line break in a short string (use \"\"\" for long strings)"),
        ("ex:s ex:p \"bad \\q\" .", 3, 16, "invalid escape \"\\q\""),
        ("ex:s ex:p <has space> .", 3, 15, "character not allowed in an IRI"),
        ("ex:s ex:p ex:o ; ex:q ] .", 3, 23, "expected an object (an IRI, a prefixed name or a blank node)"),
        ("ex:s ex:p ex:o ] .", 3, 16, "expected \".\", found \"]\""),
        ("\"lit\" ex:p ex:o .", 3, 1, "expected a subject (an IRI, a prefixed name or a blank node)"),
        ("ex:s ex:p ( ex:o", 3, 17, "unterminated collection"),
        ("ex:é ex:p 1e .", 3, 11, "expected digits in the exponent"),
    ])
    func errorsCarryLineAndColumn(_ body: String, _ line: Int, _ column: Int, _ reason: String) throws {
        let error = #expect(throws: TurtleSyntaxError.self) { try Self.parse(body) }
        #expect(error == TurtleSyntaxError(line: line, column: column, reason: reason))
    }
}
