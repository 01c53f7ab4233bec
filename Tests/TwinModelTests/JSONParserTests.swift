import OrderedCollections
import PropertyBased
import Testing
@testable import TwinModel

/// The error `parse` throws for `bytes`, or `nil` when it parses.
private func syntaxError(_ bytes: [UInt8], maximumDepth: Int = JSONParser.defaultMaximumDepth) -> JSONSyntaxError? {
    do {
        _ = try JSONParser(maximumDepth: maximumDepth).parse(bytes)
        return nil
    } catch {
        return error
    }
}

private func syntaxError(_ text: String) -> JSONSyntaxError? { syntaxError(Array(text.utf8)) }

/// Invalid text, where the parser must point, and words its reason must contain.
struct SyntaxCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var line: Int
    var column: Int
    var reason: String

    init(_ text: String, line: Int = 1, column: Int, _ reason: String) {
        self.init(bytes: Array(text.utf8), line: line, column: column, reason)
    }

    init(bytes: [UInt8], line: Int = 1, column: Int, _ reason: String) {
        self.bytes = bytes
        self.line = line
        self.column = column
        self.reason = reason
    }

    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }
}

@Suite("JSONParser")
struct JSONParserTests {
    @Test("every value kind")
    func valueKinds() throws {
        #expect(try json("null") == .null)
        #expect(try json("true") == .bool(true))
        #expect(try json("false") == .bool(false))
        #expect(try json("42") == .int(42))
        #expect(try json("-7") == .int(-7))
        #expect(try json("2.5") == .double(2.5))
        #expect(try json(#""hi""#) == .string("hi"))
        #expect(try json("[]") == .array([]))
        #expect(try json("{}") == .object([:]))
        let nested = try json(#" {"a" : [1, 2.0, "x", null, true, {"b": {}}], "c": -0.5} "#)
        #expect(nested == .object(["a": .array([.int(1), .double(2.0), .string("x"), .null, .bool(true), .object(["b": .object([:])])]), "c": .double(-0.5)]))
    }

    @Test("white space around and between tokens")
    func whitespace() throws {
        #expect(try json(" \t\r\n 1 \n") == .int(1))
        #expect(try json("[ 1 ,\n2\t]") == .array([.int(1), .int(2)]))
    }

    @Test("integers stay integers, everything else is a double", arguments: [
        ("1", JSONValue.int(1)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("1.0", .double(1.0)),
        ("1e2", .double(100)),
        ("1E2", .double(100)),
        ("1e+2", .double(100)),
        ("25e-1", .double(2.5)),
        ("-0.0", .double(-0.0)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9.223372036854775808e18)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
    ])
    func numbers(text: String, expected: JSONValue) throws {
        let value = try json(text)
        #expect(value == expected)
        switch (value, expected) {
        case (.int, .int), (.double, .double): break
        default: Issue.record("\(text) parsed as \(value), a different kind from \(expected)")
        }
    }

    @Test("escapes, including surrogate pairs")
    func escapes() throws {
        #expect(try json(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
        #expect(try json(#""\u00e9\u00E9""#) == .string("éé"))
        #expect(try json(#""\u0000""#) == .string("\u{0}"))
        #expect(try json(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try json(#""a\ud834\udd1eb""#) == .string("a𝄞b"))
        #expect(try json("\"日本😀\"") == .string("日本😀"))
    }

    @Test("syntax errors name the offending line and column", arguments: [
        SyntaxCase("", column: 1, "end of input"),
        SyntaxCase("   ", column: 4, "end of input"),
        SyntaxCase("01", column: 2, "leading zeros"),
        SyntaxCase("-01", column: 3, "leading zeros"),
        SyntaxCase("[00]", column: 3, "leading zeros"),
        SyntaxCase("-", column: 2, "expected a digit"),
        SyntaxCase("+1", column: 1, "unexpected '+'"),
        SyntaxCase(".5", column: 1, "unexpected '.'"),
        SyntaxCase("1.", column: 3, "after '.'"),
        SyntaxCase("1.e3", column: 3, "after '.'"),
        SyntaxCase("1e", column: 3, "exponent"),
        SyntaxCase("1e+", column: 4, "exponent"),
        SyntaxCase("[1,]", column: 4, "unexpected ']'"),
        SyntaxCase("[1 2]", column: 4, "expected ',' or ']'"),
        SyntaxCase(#"{"a":1,}"#, column: 8, "member name"),
        SyntaxCase(#"{"a" 1}"#, column: 6, "expected ':'"),
        SyntaxCase("{a:1}", column: 2, "member name in double quotes"),
        SyntaxCase(#"{"a":1"#, column: 7, "end of input"),
        SyntaxCase("[1", column: 3, "end of input"),
        SyntaxCase(#""abc"#, column: 1, "unterminated string"),
        SyntaxCase("[\n  \"abc", line: 2, column: 3, "unterminated string"),
        SyntaxCase(#""abc\"#, column: 1, "unterminated string"),
        SyntaxCase(#""\n"#, column: 1, "unterminated string"),
        SyntaxCase("\"a\u{01}b\"", column: 3, "control character"),
        SyntaxCase("\"a\nb\"", column: 3, "control character"),
        SyntaxCase("\"\\n\tb\"", column: 4, "control character"),
        SyntaxCase(#""\x""#, column: 2, "invalid escape"),
        SyntaxCase(#""\u12G4""#, column: 6, "hex digit"),
        SyntaxCase(#""\u12"#, column: 4, "truncated"),
        SyntaxCase(#""\uD83D""#, column: 8, "unpaired high surrogate"),
        SyntaxCase(#""\uD83Dx""#, column: 8, "unpaired high surrogate"),
        SyntaxCase(#""\uDE00""#, column: 8, "unpaired low surrogate"),
        SyntaxCase(#""\uD83D\u0041""#, column: 14, "invalid low surrogate"),
        SyntaxCase(#""\uD83D\uD83D""#, column: 14, "invalid low surrogate"),
        SyntaxCase("tru", column: 1, "end of input"),
        SyntaxCase("trux", column: 4, "expected 'true'"),
        SyntaxCase("nul", column: 1, "end of input"),
        SyntaxCase("fals3", column: 5, "expected 'false'"),
        SyntaxCase("1 x", column: 3, "unexpected 'x' after the value"),
        SyntaxCase("{} {}", column: 4, "after the value"),
        SyntaxCase("[1]\n\n  ]", line: 3, column: 3, "after the value"),
        SyntaxCase("{\n  \"a\": 1,\n  \"b\": tru\n}", line: 3, column: 11, "expected 'true'"),
        SyntaxCase("{\r\n\"a\": [1,\r\n ]}", line: 3, column: 2, "unexpected ']'"),
        // Invalid UTF-8 is reported at the opening quote of the string holding it.
        SyntaxCase(bytes: [0x22, 0x61, 0xFF, 0x22], column: 1, "invalid UTF-8"),
        SyntaxCase(bytes: [0x5B, 0x0A, 0x22, 0xC0, 0x80, 0x22, 0x5D], line: 2, column: 1, "invalid UTF-8"),  // overlong
        SyntaxCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], column: 1, "invalid UTF-8"),  // encoded surrogate
        SyntaxCase(bytes: [0x22, 0xE6, 0x97, 0x22], column: 1, "invalid UTF-8"),  // truncated sequence
        SyntaxCase(bytes: [0x22, 0x5C, 0x6E, 0xFF, 0x22], column: 1, "invalid UTF-8"),  // after an escape
        SyntaxCase(bytes: [0x20, 0xFF], column: 2, "unexpected '\\u{ff}'"),
    ])
    func syntaxErrors(_ invalid: SyntaxCase) throws {
        let error = try #require(syntaxError(invalid.bytes))
        #expect(error.line == invalid.line)
        #expect(error.column == invalid.column)
        #expect(error.reason.contains(invalid.reason), "reason: \(error.reason)")
        #expect(error.description.hasPrefix("invalid JSON at line \(invalid.line), column \(invalid.column): "))
    }

    @Test("a number too large for a double is refused, not turned into infinity")
    func numberOutOfRange() throws {
        // Infinity cannot be written back as JSON (`encoded()` writes `null`), so the parser must refuse it;
        // JSONParser.readNumber has a "number out of range" error for exactly this.
        let error = syntaxError("[1e400]")
        #expect(error?.column == 2)
        #expect(error?.reason == "number out of range")
        #expect(syntaxError("-1e400")?.reason == "number out of range")
        #expect(try json("1e-400") == .double(0))  // underflow to zero is representable
    }

    @Test("nesting is bounded by maximumDepth")
    func depthLimit() throws {
        let limit = JSONParser.defaultMaximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(syntaxError(deepest) == nil)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        let error = try #require(syntaxError(tooDeep))
        #expect(error.column == limit + 1)
        #expect(error.reason == "nesting deeper than \(limit) levels")

        #expect(syntaxError(Array(#"{"a":[{"b":1}]}"#.utf8), maximumDepth: 3) == nil)
        let objects = try #require(syntaxError(Array(#"{"a":[{"b":{}}]}"#.utf8), maximumDepth: 3))
        #expect(objects.column == 12)
        #expect(objects.offset == 11)
        #expect(objects.reason == "nesting deeper than 3 levels")
    }

    @Test("key order survives parse and encode; duplicate keys keep the last value in the first position")
    func keyOrder() throws {
        let text = #"{"z":1,"a":{"y":true,"b":null},"m":[3,"s"]}"#
        let value = try json(text)
        #expect(value.objectValue.map { Array($0.keys) } == ["z", "a", "m"])
        #expect(value.encodedString() == text)

        let duplicates = try json(#"{"a":1,"b":2,"a":3}"#)
        #expect(duplicates.encodedString() == #"{"a":3,"b":2}"#)
    }

    @Test("encoding is compact and escapes only what JSON requires")
    func encoding() {
        let value: JSONValue = .object([
            "s": .string("q\"b\\n\n r\r t\t b\u{08} f\u{0C} c\u{01}\u{1F} del\u{7F} /é😀"),
            "i": .int(Int64.min), "d": .double(1.0), "e": .double(1e-7), "big": .double(1e16),
            "inf": .double(.infinity), "nan": .double(.nan), "a": .array([.null, .bool(false), .int(0)]),
        ])
        let expected = #"{"s":"q\"b\\n\n r\r t\t b\b f\f c\u0001\u001f del"# + "\u{7F} /é😀\""
            + #","i":-9223372036854775808,"d":1.0,"e":1e-07,"big":1e+16,"inf":null,"nan":null,"a":[null,false,0]}"#
        #expect(value.encodedString() == expected)
        #expect(value.encoded() == Array(expected.utf8))
        #expect(value.encodedByteCount == expected.utf8.count)
        #expect(value.description == expected)
    }

    @Test("bytes from any collection parse the same as from a string")
    func byteCollections() throws {
        let text = #"{"k":["v",1.5]}"#
        let reversed = Array(text.utf8.reversed()).reversed()  // not contiguous
        #expect(try JSONParser().parse(reversed) == json(text))
        #expect(try JSONParser().parse(Array(text.utf8)) == json(text))
        #expect(try JSONValue(parsing: Array(text.utf8)) == json(text))
        #expect(try JSONValue(parsing: text) == json(text))
    }

    @Test("parse(encode(x)) == x for generated values")
    func roundTrip() async {
        await propertyCheck(count: 300, input: JSONGen.value(depth: 4)) { value in
            let bytes = value.encoded()
            let parsed = try JSONParser().parse(bytes)
            #expect(parsed == value)
            #expect(parsed.encoded() == bytes)
        }
    }

    @Test("encodedByteCount == encoded().count for generated values")
    func encodedByteCount() async {
        await propertyCheck(count: 300, input: JSONGen.value(depth: 4)) { value in
            #expect(value.encodedByteCount == value.encoded().count)
        }
    }

    @Test("strings of any scalars round trip through encode and parse")
    func stringRoundTrip() async {
        let scalars = Gen<UnicodeScalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}")
        let strings = Gen.oneOf(scalars, Gen<UnicodeScalar>.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}"))
            .array(of: 0...12).map { String(String.UnicodeScalarView($0)) }
        await propertyCheck(count: 300, input: strings) { string in
            let value = JSONValue.string(string)
            let parsed = try JSONParser().parse(value.encoded())
            #expect(parsed == value)
            #expect(value.encodedByteCount == value.encoded().count)
        }
    }
}
