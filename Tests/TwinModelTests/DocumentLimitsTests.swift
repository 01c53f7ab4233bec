import OrderedCollections
import Testing
@testable import TwinModel

private let t0 = Timestamp(milliseconds: 1_000)
private let t1 = Timestamp(milliseconds: 2_000)

/// The error applying `patch` to an empty section of `kind` throws, or `nil` when it is accepted.
private func limitError(
    _ patch: JSONObject, to kind: TwinSection.Kind = .desired, limits: DocumentLimits = .standard
) -> TwinModelError? {
    var section = TwinSection.empty(at: t0)
    do {
        _ = try section.apply(mergePatch: patch, kind: kind, at: t1, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// `{"k1":{"k2":…{"kN":leaf}}}`.
private func nested(_ depth: Int, leaf: JSONValue = 1) -> JSONObject {
    var value = leaf
    for level in stride(from: depth, to: 1, by: -1) {
        value = .object(["k\(level)": value])
    }
    return ["k1": value]
}

/// `desired.k1.k2…kN`.
private func nestedPath(_ depth: Int, section: String = "desired") -> String {
    ([section] + (1...depth).map { "k\($0)" }).joined(separator: ".")
}

/// A string of `count` ASCII bytes.
private func text(_ count: Int) -> JSONValue { .string(String(repeating: "x", count: count)) }

/// Nine members: eight strings of 4000 bytes and one of `last` bytes; 32 768 bytes encoded when `last` is 695.
private func largeSection(last: Int) -> JSONObject {
    var object = JSONObject()
    for index in 0..<8 { object["k\(index)"] = text(4000) }
    object["k8"] = text(last)
    return object
}

@Suite("Document limits")
struct DocumentLimitsTests {
    @Test("the standard limits are IoT Hub's")
    func standard() {
        let limits = DocumentLimits.standard
        #expect(limits.maximumDesiredBytes == 32_768 && limits.maximumReportedBytes == 32_768)
        #expect(limits.maximumTagsBytes == 8_192 && limits.maximumPropertiesBytes == 32_768)
        #expect(limits.maximumDepth == 10 && limits.maximumKeyBytes == 1_024 && limits.maximumStringBytes == 4_096)
    }

    @Test("invalid member names are refused with their full path", arguments: [
        ("a.b", "member names may not contain '.'"),
        ("$meta", "member names may not contain '$'"),
        ("a b", "member names may not contain ' '"),
        ("", "member names may not be empty"),
        ("tab\there", "member names may not contain control characters"),
        ("nul\u{0}", "member names may not contain control characters"),
        ("line\n", "member names may not contain control characters"),
        ("\u{1F}", "member names may not contain control characters"),
        ("del\u{7F}", "member names may not contain control characters"),
        (String(repeating: "k", count: 1025), "member name is 1025 bytes; the limit is 1024"),
        (String(repeating: "é", count: 513), "member name is 1026 bytes; the limit is 1024"),
    ])
    func invalidKeys(key: String, reason: String) {
        let patch: JSONObject = ["ok": 1, "x": .object(["fine": true, key: 1])]
        #expect(limitError(patch) == .invalidKey(path: "desired.x." + key, reason: reason))
        #expect(limitError([key: 1], to: .reported) == .invalidKey(path: "reported." + key, reason: reason))
        #expect(limitError(["l": [.object(["y": .object([key: 1])])]], to: .tags) == .invalidKey(path: "tags.l[0].y." + key, reason: reason))
        // A delete names the member too, so it is checked as well.
        #expect(limitError(["x": .object([key: nil])]) == .invalidKey(path: "desired.x." + key, reason: reason))
    }

    @Test("C1 control characters (U+0080–U+009F) are control characters too", arguments: ["a\u{85}b", "\u{80}", "x\u{9F}"])
    func c1ControlCharacters(key: String) {
        // IoT Hub: "Allowed characters exclude UNICODE control characters (segments C0 and C1)".
        #expect(limitError(["x": .object([key: 1])]) == .invalidKey(path: "desired.x." + key, reason: "member names may not contain control characters"))
    }

    @Test("names that are only unusual are accepted")
    func validKeys() {
        let keys = [String(repeating: "k", count: 1024), String(repeating: "é", count: 512), "日本", "😀", "a-b_c:d/e#f@g", "~1", "#"]
        for key in keys {
            #expect(limitError(["x": .object([key: 1])]) == nil, "\(key)")
        }
    }

    @Test("properties follow DTDL names, not IoT Hub key rules, but keep the other limits")
    func propertiesKeyRules() {
        #expect(limitError(["a.b": 1, "$x": 2, "with space": 3], to: .properties) == nil)
        #expect(limitError(["s": text(4097)], to: .properties) == .stringTooLong(path: "properties.s", bytes: 4097, limit: 4096))
        #expect(limitError(nested(11), to: .properties) == .tooDeep(path: nestedPath(10, section: "properties"), limit: 10))
    }

    @Test("depth 10 is accepted, 11 is refused at the deepest allowed object")
    func depth() {
        #expect(limitError(nested(10)) == nil)
        #expect(limitError(nested(11)) == .tooDeep(path: nestedPath(10), limit: 10))
        #expect(limitError(nested(11, leaf: .object(["deeper": 1])), to: .reported) == .tooDeep(path: nestedPath(10, section: "reported"), limit: 10))
        // An array is a level: its elements are one deeper than the member holding it.
        #expect(limitError(nested(9, leaf: [1])) == nil)
        #expect(limitError(nested(10, leaf: [1])) == .tooDeep(path: nestedPath(10), limit: 10))
        #expect(limitError(nested(8, leaf: [.object(["o": 1])])) == nil)
        #expect(limitError(nested(9, leaf: [.object(["o": 1])])) == .tooDeep(path: nestedPath(9) + "[0]", limit: 10))
    }

    @Test("the depth limit is configurable")
    func customDepth() {
        var limits = DocumentLimits()
        limits.maximumDepth = 2
        #expect(limitError(nested(2), limits: limits) == nil)
        #expect(limitError(nested(3), limits: limits) == .tooDeep(path: "desired.k1.k2", limit: 2))
    }

    @Test("strings of 4096 bytes are accepted, 4097 refused with the path of the value")
    func stringLength() {
        #expect(limitError(["s": text(4096)]) == nil)
        #expect(limitError(["s": .string(String(repeating: "é", count: 2048))]) == nil)
        #expect(limitError(["s": text(4097)]) == .stringTooLong(path: "desired.s", bytes: 4097, limit: 4096))
        #expect(limitError(["x": .object(["y": .string(String(repeating: "😀", count: 1025))])]) == .stringTooLong(path: "desired.x.y", bytes: 4100, limit: 4096))
        #expect(limitError(["x": .object(["l": ["ok", text(4097)]])], to: .tags) == .stringTooLong(path: "tags.x.l[1]", bytes: 4097, limit: 4096))
        // Member names are not values: a 1024-byte key is fine.
        #expect(limitError([String(repeating: "k", count: 1024): "v"]) == nil)
    }

    @Test("a section may be 32 768 bytes but not one more")
    func sectionSize() {
        let fits = largeSection(last: 695)
        #expect(JSONValue.object(fits).encoded().count == 32_768)
        #expect(limitError(fits) == nil)
        #expect(limitError(fits, to: .reported) == nil)
        #expect(limitError(largeSection(last: 696)) == .sectionTooLarge(section: "desired", bytes: 32_769, limit: 32_768))
        #expect(limitError(largeSection(last: 696), to: .reported) == .sectionTooLarge(section: "reported", bytes: 32_769, limit: 32_768))
        let tags: JSONObject = ["t": text(4000), "u": text(4000), "v": text(170)]
        #expect(JSONValue.object(tags).encodedByteCount == 8_192)
        #expect(limitError(tags, to: .tags) == nil)
        #expect(limitError(tags.merging(["v": text(171)]) { $1 }, to: .tags) == .sectionTooLarge(section: "tags", bytes: 8_193, limit: 8_192))
    }

    @Test("the size limit applies to the section after the patch, not to the patch")
    func sizeAfterMerge() throws {
        var twin = Twin(id: "dev", at: t0)
        _ = try twin.apply(mergePatch: largeSection(last: 600), to: .desired, at: t0)
        let before = twin
        #expect(throws: TwinModelError.sectionTooLarge(section: "desired", bytes: 32_769, limit: 32_768)) {
            try twin.apply(mergePatch: ["k8": text(696)], to: .desired, at: t1)
        }
        #expect(twin == before)
        // Shrinking one member makes room for another.
        _ = try twin.apply(mergePatch: ["k0": nil, "k9": text(3000)], to: .desired, at: t1)
        #expect(twin.desired.value.count == 9 && twin.desired.version == 2)
    }

    /// A patch the limits refuse, named for the test report.
    struct Refused: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var patch: JSONObject
    }

    @Test("a refused patch leaves the twin and its sections untouched", arguments: [
        Refused(testDescription: "invalid key", patch: ["ok": 1, "bad.key": 2]),
        Refused(testDescription: "long string", patch: ["ok": 1, "s": text(5000)]),
        Refused(testDescription: "too deep", patch: nested(12)),
        Refused(testDescription: "too large", patch: largeSection(last: 4000)),
    ])
    func refusedPatchChangesNothing(refused: Refused) throws {
        let patch = refused.patch
        var twin = Twin(id: "dev", at: t0)
        _ = try twin.apply(mergePatch: ["ok": 0, "keep": ["x": true]], to: .desired, at: t0)
        let before = twin
        #expect(throws: TwinModelError.self) {
            try twin.apply(mergePatch: patch, to: .desired, at: t1)
        }
        #expect(twin == before)
        #expect(twin.desired.value == ["ok": 0, "keep": ["x": true]])
        #expect(twin.desired.version == 1 && twin.version == 2 && twin.etag == before.etag)
        #expect(twin.desired.metadata.lastUpdated == t0)

        var section = before.desired
        #expect(throws: TwinModelError.self) {
            try section.apply(mergePatch: patch, kind: .desired, at: t1, limits: .standard)
        }
        #expect(section == before.desired)
    }

    @Test("a JSON Patch result is held to the same limits")
    func jsonPatchLimits() throws {
        var twin = Twin(id: "dev", at: t0)
        let before = twin
        let patch = try JSONPatch(json(#"[{"op":"add","path":"/x","value":{"a.b":1}}]"#))
        #expect(throws: TwinModelError.invalidKey(path: "desired.x.a.b", reason: "member names may not contain '.'")) {
            try twin.apply(jsonPatch: patch, to: .desired, at: t1)
        }
        #expect(twin == before)
    }
}
