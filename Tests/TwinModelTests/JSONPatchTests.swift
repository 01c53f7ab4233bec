import OrderedCollections
import Testing
@testable import TwinModel

/// Reads and applies a patch written as JSON text.
private func apply(_ patch: String, to document: String) throws -> JSONValue {
    try JSONPatch(json(patch)).applied(to: json(document))
}

/// The error applying `patch` to `document` throws, or `nil` when it applies.
private func patchError(_ patch: String, to document: String) throws -> JSONPatchError? {
    let patchValue = try json(patch)
    let documentValue = try json(document)
    do {
        _ = try JSONPatch(patchValue).applied(to: documentValue)
        return nil
    } catch {
        return error
    }
}

/// `apply`'s result must equal `expected` as JSON (member order aside).
private func expectPatch(
    _ patch: String, on document: String, gives expected: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let result = try apply(patch, to: document)
    let wanted = try json(expected)
    #expect(result.isJSONEqual(to: wanted), "got \(result), expected \(wanted)", sourceLocation: sourceLocation)
}

@Suite("JSON Patch (RFC 6902)")
struct JSONPatchTests {
    // MARK: RFC 6902 Appendix A

    @Test("A.1 adding an object member")
    func a1() throws {
        try expectPatch(#"[{"op":"add","path":"/baz","value":"qux"}]"#, on: #"{"foo":"bar"}"#, gives: #"{"baz":"qux","foo":"bar"}"#)
        // A new member goes last; the existing ones keep their order.
        #expect(try apply(#"[{"op":"add","path":"/baz","value":"qux"}]"#, to: #"{"foo":"bar"}"#).encodedString() == #"{"foo":"bar","baz":"qux"}"#)
    }

    @Test("A.2 adding an array element")
    func a2() throws {
        let result = try apply(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#, to: #"{"foo":["bar","baz"]}"#)
        #expect(try result == json(#"{"foo":["bar","qux","baz"]}"#))
    }

    @Test("A.3 removing an object member")
    func a3() throws {
        let result = try apply(#"[{"op":"remove","path":"/baz"}]"#, to: #"{"baz":"qux","foo":"bar"}"#)
        #expect(try result == json(#"{"foo":"bar"}"#))
    }

    @Test("A.4 removing an array element")
    func a4() throws {
        let result = try apply(#"[{"op":"remove","path":"/foo/1"}]"#, to: #"{"foo":["bar","qux","baz"]}"#)
        #expect(try result == json(#"{"foo":["bar","baz"]}"#))
    }

    @Test("A.5 replacing a value")
    func a5() throws {
        try expectPatch(#"[{"op":"replace","path":"/baz","value":"boo"}]"#, on: #"{"baz":"qux","foo":"bar"}"#, gives: #"{"baz":"boo","foo":"bar"}"#)
    }

    @Test("A.6 moving a value")
    func a6() throws {
        try expectPatch(
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            on: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            gives: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
    }

    @Test("A.7 moving an array element")
    func a7() throws {
        let result = try apply(#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, to: #"{"foo":["all","grass","cows","eat"]}"#)
        #expect(try result == json(#"{"foo":["all","cows","eat","grass"]}"#))
    }

    @Test("A.8 testing a value: success")
    func a8() throws {
        let document = #"{"baz":"qux","foo":["a",2,"c"]}"#
        let result = try apply(#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#, to: document)
        #expect(try result == json(document))
    }

    @Test("A.9 adding a nested member object")
    func a9() throws {
        try expectPatch(#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, on: #"{"foo":"bar"}"#, gives: #"{"foo":"bar","child":{"grandchild":{}}}"#)
    }

    @Test("A.10 ignoring unrecognized elements")
    func a10() throws {
        let patch = try JSONPatch(json(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#))
        #expect(patch.operations == [.add(path: JSONPointer(tokens: ["baz"]), value: "qux")])
        try expectPatch(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, on: #"{"foo":"bar"}"#, gives: #"{"foo":"bar","baz":"qux"}"#)
    }

    @Test("A.11 testing a value: error")
    func a11() throws {
        let error = try #require(try patchError(#"[{"op":"test","path":"/baz","value":"bar"}]"#, to: #"{"baz":"qux"}"#))
        #expect(error.kind == .testFailed)
        #expect(error.index == 0)
        #expect(error.description.hasPrefix("JSON Patch operation 0: "))
    }

    @Test("A.12 adding to a nonexistent target")
    func a12() throws {
        let error = try #require(try patchError(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, to: #"{"foo":"bar"}"#))
        #expect(error.kind == .pathNotFound)
        #expect(error.index == 0)
    }

    @Test("A.13 invalid JSON Patch document: a duplicated op is not read as the first one")
    func a13() throws {
        let patchValue = try json(#"[{"op":"add","path":"/baz","value":"qux","op":"remove"}]"#)
        // Duplicate members keep the last value, so this is a "remove", never an "add".
        let patch = try JSONPatch(patchValue)
        #expect(patch.operations == [.remove(path: JSONPointer(tokens: ["baz"]))])
        let error = try #require(try patchError(#"[{"op":"add","path":"/baz","value":"qux","op":"remove"}]"#, to: #"{"foo":"bar"}"#))
        #expect(error.kind == .pathNotFound)
        #expect(error.index == 0)
    }

    @Test("A.14 ~ escape ordering")
    func a14() throws {
        let document = #"{"/":9,"~1":10}"#
        #expect(try apply(#"[{"op":"test","path":"/~01","value":10}]"#, to: document) == json(document))
    }

    @Test("A.15 comparing strings and numbers")
    func a15() throws {
        let error = try #require(try patchError(#"[{"op":"test","path":"/~01","value":"10"}]"#, to: #"{"/":9,"~1":10}"#))
        #expect(error.kind == .testFailed)
        #expect(error.index == 0)
    }

    @Test("A.16 adding an array value")
    func a16() throws {
        let result = try apply(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, to: #"{"foo":["bar"]}"#)
        #expect(try result == json(#"{"foo":["bar",["abc","def"]]}"#))
    }

    // MARK: RFC 6901 section 5

    static let pointerDocument = #"{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,"m~n":8}"#

    @Test("RFC 6901 §5 pointers", arguments: [
        ("", "WHOLE"),
        ("/foo", #"["bar","baz"]"#),
        ("/foo/0", #""bar""#),
        ("/", "0"),
        ("/a~1b", "1"),
        ("/c%d", "2"),
        ("/e^f", "3"),
        ("/g|h", "4"),
        ("/i\\j", "5"),
        ("/k\"l", "6"),
        ("/ ", "7"),
        ("/m~0n", "8"),
    ])
    func rfc6901(pointer text: String, expected: String) throws {
        let document = try json(Self.pointerDocument)
        let pointer = try JSONPointer(text)
        let wanted = expected == "WHOLE" ? document : try json(expected)
        #expect(document.value(at: pointer) == wanted)
        #expect(pointer.description == text)
    }

    @Test("pointer tokens are unescaped, ~01 is ~1 and not /")
    func pointerTokens() throws {
        #expect(try JSONPointer("/a~1b/m~0n/~01").tokens == ["a/b", "m~n", "~1"])
        #expect(try JSONPointer("//x/").tokens == ["", "x", ""])
        #expect(JSONPointer(tokens: ["a/b", "~"]).description == "/a~1b/~0")
        #expect(JSONPointer(tokens: ["a", "b"]).parent == JSONPointer(tokens: ["a"]))
        #expect(JSONPointer(tokens: []).parent == nil)
    }

    @Test("invalid pointers")
    func invalidPointers() {
        #expect(throws: JSONPointerError.notAbsolute("foo")) { try JSONPointer("foo") }
        #expect(throws: JSONPointerError.invalidEscape("/a~2")) { try JSONPointer("/a~2") }
        #expect(throws: JSONPointerError.invalidEscape("/a~")) { try JSONPointer("/a~") }
    }

    @Test("array indexes: no leading zeros, no '-', nothing past the end")
    func arrayIndexes() throws {
        let document = try json(#"{"a":[10,20]}"#)
        #expect(try document.value(at: JSONPointer("/a/1")) == .int(20))
        #expect(try document.value(at: JSONPointer("/a/01")) == nil)
        #expect(try document.value(at: JSONPointer("/a/2")) == nil)
        #expect(try document.value(at: JSONPointer("/a/-")) == nil)
        #expect(try document.value(at: JSONPointer("/a/-1")) == nil)
        #expect(try document.value(at: JSONPointer("/a/1/x")) == nil)
    }

    // MARK: Atomicity and errors

    @Test("a failing operation leaves the document unchanged and names its index")
    func atomicity() throws {
        let document = try json(#"{"a":{"b":[1,2]},"c":"d"}"#)
        let patch = try JSONPatch(json(#"""
            [{"op":"add","path":"/a/b/-","value":3},{"op":"remove","path":"/c"},
             {"op":"replace","path":"/a/b/0","value":"x"},{"op":"test","path":"/a/b/2","value":4}]
            """#))
        #expect(throws: JSONPatchError.self) { try patch.applied(to: document) }
        do {
            _ = try patch.applied(to: document)
        } catch {
            #expect(error.index == 3)
            #expect(error.kind == .testFailed)
        }
        #expect(document == (try json(#"{"a":{"b":[1,2]},"c":"d"}"#)))
        // Without the failing test the first three apply.
        let firstThree = JSONPatch(operations: Array(patch.operations.prefix(3)))
        #expect(try firstThree.applied(to: document).isJSONEqual(to: json(#"{"a":{"b":["x",2,3]}}"#)))
    }

    @Test("error kinds and operation indexes", arguments: [
        (#"{"op":"add","path":"/a"}"#, JSONPatchError.Kind.malformed, 1),
        (#"{"op":"launch","path":"/a"}"#, .malformed, 1),
        (#"{"path":"/a"}"#, .malformed, 1),
        (#"{"op":"add","path":"a","value":1}"#, .malformed, 1),
        (#"{"op":"add","path":"/a~","value":1}"#, .malformed, 1),
        (#"{"op":"move","path":"/x"}"#, .malformed, 1),
        (#"{"op":"test","path":"/a"}"#, .malformed, 1),
        (#"{"op":"add","path":7,"value":1}"#, .malformed, 1),
        (#""add""#, .malformed, 1),
        (#"{"op":"remove","path":"/missing"}"#, .pathNotFound, 1),
        (#"{"op":"remove","path":"/list/2"}"#, .pathNotFound, 1),
        (#"{"op":"remove","path":""}"#, .malformed, 1),
        (#"{"op":"replace","path":"/missing","value":1}"#, .pathNotFound, 1),
        (#"{"op":"add","path":"/list/3","value":1}"#, .pathNotFound, 1),
        (#"{"op":"add","path":"/list/01","value":1}"#, .pathNotFound, 1),
        (#"{"op":"add","path":"/a/x","value":1}"#, .pathNotFound, 1),
        (#"{"op":"move","from":"/missing","path":"/b"}"#, .pathNotFound, 1),
        (#"{"op":"move","from":"/obj","path":"/obj/inner"}"#, .malformed, 1),
        (#"{"op":"copy","from":"/missing","path":"/b"}"#, .pathNotFound, 1),
        (#"{"op":"test","path":"/missing","value":null}"#, .testFailed, 1),
        (#"{"op":"test","path":"/a","value":"1"}"#, .testFailed, 1),
    ])
    func errors(operation: String, kind: JSONPatchError.Kind, index: Int) throws {
        let patch = #"[{"op":"test","path":"/a","value":1.0},"# + operation + "]"
        let error = try #require(try patchError(patch, to: #"{"a":1,"list":[1,2],"obj":{"k":true}}"#))
        #expect(error.kind == kind)
        #expect(error.index == index)
        #expect(error.description.hasPrefix("JSON Patch operation \(index): "))
    }

    @Test("a patch that is not an array has no operation index")
    func notAnArray() throws {
        #expect(throws: JSONPatchError(index: nil, kind: .malformed, reason: "a JSON Patch must be an array of operations")) {
            try JSONPatch(json(#"{"op":"add","path":"/a","value":1}"#))
        }
    }

    @Test("copy, move to itself, and operations on the root")
    func otherOperations() throws {
        let document = #"{"a":{"b":[1,{"c":2}]}}"#
        try expectPatch(#"[{"op":"copy","from":"/a/b/1","path":"/d"}]"#, on: document, gives: #"{"a":{"b":[1,{"c":2}]},"d":{"c":2}}"#)
        try expectPatch(#"[{"op":"move","from":"/a","path":"/a"}]"#, on: document, gives: document)
        try expectPatch(#"[{"op":"replace","path":"","value":[1]}]"#, on: document, gives: "[1]")
        try expectPatch(#"[{"op":"add","path":"","value":{"z":0}}]"#, on: document, gives: #"{"z":0}"#)
        try expectPatch(#"[{"op":"test","path":"","value":{"a":{"b":[1.0,{"c":2.0}]}}}]"#, on: document, gives: document)
        try expectPatch(#"[{"op":"replace","path":"/a/b/1/c","value":null}]"#, on: document, gives: #"{"a":{"b":[1,{"c":null}]}}"#)
        try expectPatch(#"[{"op":"add","path":"/a/b/0","value":0},{"op":"remove","path":"/a/b/2"}]"#, on: document, gives: #"{"a":{"b":[0,1]}}"#)
        try expectPatch("[]", on: document, gives: document)
    }
}
