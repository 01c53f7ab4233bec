import OrderedCollections
import PropertyBased
import Testing
@testable import TwinModel

@Suite("JSON Merge Patch (RFC 7396)")
struct MergePatchTests {
    /// Every row of RFC 7396 Appendix A: original, patch, result.
    @Test("RFC 7396 Appendix A", arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func rfc7396(original: String, patch: String, result: String) throws {
        let merged = try json(original).mergePatched(with: json(patch))
        // Exact structure, member order included: existing members keep their place, new ones go last.
        #expect(merged == (try json(result)))
        #expect(merged.encodedString() == (try json(result)).encodedString())
    }

    @Test("mergePatch mutates in place like mergePatched")
    func inPlace() throws {
        var value = try json(#"{"x":{"y":1,"z":[2]},"w":true}"#)
        value.mergePatch(try json(#"{"x":{"y":null,"q":{"r":null}},"w":false}"#))
        #expect(value.encodedString() == #"{"x":{"z":[2],"q":{}},"w":false}"#)
    }

    @Test("a non-object member is replaced by an object patch, not merged into")
    func scalarBecomesObject() throws {
        #expect(try json(#"{"a":5}"#).mergePatched(with: json(#"{"a":{"b":1,"c":null}}"#)) == json(#"{"a":{"b":1}}"#))
        #expect(try json("3").mergePatched(with: json(#"{"a":null}"#)) == json("{}"))
    }

    @Test("mergePatch(to:) computes the minimal diff", arguments: [
        (#"{"a":1,"b":2}"#, #"{"a":1,"b":3}"#, #"{"b":3}"#),
        (#"{"a":1,"b":2}"#, #"{"a":1}"#, #"{"b":null}"#),
        (#"{"a":1}"#, #"{"a":1.0}"#, #"{}"#),
        (#"{"a":{"x":1,"y":2}}"#, #"{"a":{"x":1,"y":[2]}}"#, #"{"a":{"y":[2]}}"#),
        (#"{"a":{"x":1}}"#, #"{"a":7}"#, #"{"a":7}"#),
        (#"{"a":7}"#, #"{"a":{"x":1}}"#, #"{"a":{"x":1}}"#),
        (#"{"a":[1,2]}"#, #"{"a":[1,2,3]}"#, #"{"a":[1,2,3]}"#),
        (#"{}"#, #"{"n":{"m":{}}}"#, #"{"n":{"m":{}}}"#),
        (#"{"a":1}"#, #"[1]"#, #"[1]"#),
    ])
    func diff(from: String, to: String, patch: String) throws {
        let computed = try json(from).mergePatch(to: json(to))
        #expect(computed.isJSONEqual(to: try json(patch)), "got \(computed)")
        #expect(try json(from).mergePatched(with: computed).isJSONEqual(to: json(to)))
    }

    @Test("applying the same patch twice is the same as applying it once")
    func idempotence() async {
        await propertyCheck(count: 300, input: JSONGen.value(depth: 3), JSONGen.value(depth: 3, nulls: true)) { target, patch in
            let once = target.mergePatched(with: patch)
            #expect(once.mergePatched(with: patch) == once)
        }
    }

    @Test("applying the same object patch twice to an object is the same as applying it once")
    func objectIdempotence() async {
        await propertyCheck(count: 300, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3, nulls: true)) { target, patch in
            let once = JSONValue.object(target).mergePatched(with: .object(patch))
            #expect(once.mergePatched(with: .object(patch)) == once)
        }
    }

    @Test("a.mergePatch(to: b) applied to a gives b")
    func diffRoundTrip() async {
        await propertyCheck(count: 300, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3)) { a, b in
            let patch = JSONValue.object(a).mergePatch(to: .object(b))
            let patched = JSONValue.object(a).mergePatched(with: patch)
            #expect(patched.isJSONEqual(to: .object(b)), "patch \(patch) turned \(a) into \(patched)")
            // The diff of equal documents is empty.
            #expect(JSONValue.object(b).mergePatch(to: .object(b)) == .object([:]))
        }
    }

    @Test("a merge patch result holds no null members outside arrays (null always deletes)")
    func noNullMembers() async {
        await propertyCheck(count: 200, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3, nulls: true)) { target, patch in
            let result = JSONValue.object(target).mergePatched(with: .object(patch))
            #expect(!Self.hasNullMember(result), "\(result)")
        }
    }

    static func hasNullMember(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object): object.values.contains { $0.isNull || hasNullMember($0) }
        default: false  // arrays are replaced whole, nulls in them included
        }
    }
}
