import Foundation
import OrderedCollections
import PropertyBased
import Testing
@testable import TwinModel

/// 2023-11-14T22:13:20.000Z and a few seconds after it.
private let t0 = Timestamp(milliseconds: 1_700_000_000_000)
private let t1 = Timestamp(milliseconds: 1_700_000_001_000)
private let t2 = Timestamp(milliseconds: 1_700_000_002_500)
private let t3 = Timestamp(milliseconds: 1_700_000_003_007)

@Suite("Twin documents")
struct TwinDocumentTests {
    @Test("a new twin is at version 1 with empty sections at version 0")
    func newTwin() throws {
        let twin = Twin(id: "dev", at: t0)
        #expect(twin.version == 1)
        for kind in TwinSection.Kind.allCases {
            #expect(twin[section: kind].value.isEmpty)
            #expect(twin[section: kind].version == 0)
            #expect(twin[section: kind].metadata == SectionMetadata(lastUpdated: t0, lastUpdatedVersion: 0))
        }
        #expect(twin.etag == #"W/"0-1""#, "incarnation 0 until stored")
        #expect(twin.createdAt == t0 && twin.updatedAt == t0)

        let withProperties = Twin(id: "room", model: "dtmi:x:Room;1", properties: try jsonObject(#"{"area":12}"#), at: t0)
        #expect(withProperties.properties.version == 1)
        #expect(withProperties.properties.metadata.member(at: ["area"]) == SectionMetadata(lastUpdated: t0, lastUpdatedVersion: 1))
    }

    @Test("$lastUpdated at every object level follows the latest change inside it")
    func metadataAtEveryLevel() throws {
        var twin = Twin(id: "dev", at: t0)
        _ = try twin.apply(mergePatch: jsonObject(#"{"a":1,"b":{"c":2,"d":{"e":3}},"l":[{"x":1}]}"#), to: .desired, at: t1)
        _ = try twin.apply(mergePatch: jsonObject(#"{"b":{"d":{"f":4}}}"#), to: .desired, at: t2)

        let metadata = twin.desired.metadata
        #expect(metadata.lastUpdated == t2 && metadata.lastUpdatedVersion == 2)
        #expect(metadata.member(at: ["a"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))
        #expect(metadata.member(at: ["b"])?.lastUpdated == t2)
        #expect(metadata.member(at: ["b", "c"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))
        #expect(metadata.member(at: ["b", "d"])?.lastUpdated == t2)
        #expect(metadata.member(at: ["b", "d", "e"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))
        #expect(metadata.member(at: ["b", "d", "f"]) == SectionMetadata(lastUpdated: t2, lastUpdatedVersion: 2))
        #expect(metadata.member(at: ["l"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))  // arrays are leaves
        #expect(metadata.member(at: ["l", "x"]) == nil)

        let at1 = #"{"$lastUpdated":"2023-11-14T22:13:21.000Z","$lastUpdatedVersion":1}"#
        let at2 = #"{"$lastUpdated":"2023-11-14T22:13:22.500Z","$lastUpdatedVersion":2}"#
        let expected = #"{"$lastUpdated":"2023-11-14T22:13:22.500Z","$lastUpdatedVersion":2,"a":"# + at1
            + #","b":{"$lastUpdated":"2023-11-14T22:13:22.500Z","$lastUpdatedVersion":2,"c":"# + at1
            + #","d":{"$lastUpdated":"2023-11-14T22:13:22.500Z","$lastUpdatedVersion":2,"e":"# + at1 + #","f":"# + at2
            + #"}},"l":"# + at1 + "}"
        #expect(metadata.azureJSON(includeVersion: true).encodedString() == expected)
        #expect(metadata.azureJSON(includeVersion: false).encodedString().contains("$lastUpdatedVersion") == false)
        var stored: [UInt8] = []
        metadata.writeStorageJSON(to: &stored)
        #expect(SectionMetadata(storageJSON: try JSONValue(parsing: stored)) == metadata)
        // Another section's metadata is untouched.
        #expect(twin.reported.metadata == SectionMetadata(lastUpdated: t0, lastUpdatedVersion: 0))
    }

    @Test("null deletes a member and its metadata")
    func nullDeletes() throws {
        var section = TwinSection.empty(at: t0)
        _ = try section.apply(mergePatch: jsonObject(#"{"a":1,"b":{"c":2,"d":3}}"#), kind: .reported, at: t1, limits: .standard)
        _ = try section.apply(mergePatch: jsonObject(#"{"a":null,"b":{"c":null},"zz":null}"#), kind: .reported, at: t2, limits: .standard)
        #expect(JSONValue.object(section.value).encodedString() == #"{"b":{"d":3}}"#)
        #expect(section.metadata.member(at: ["a"]) == nil)
        #expect(section.metadata.member(at: ["b", "c"]) == nil)
        #expect(section.metadata.member(at: ["b", "d"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))
        #expect(section.metadata.member(at: ["b"])?.lastUpdated == t2)
        #expect(section.metadata.members.keys.sorted() == ["b"])
        #expect(section.version == 2)
    }

    @Test("a member replaced by an object or a scalar gets fresh metadata")
    func replacedMembers() throws {
        var section = TwinSection.empty(at: t0)
        _ = try section.apply(mergePatch: jsonObject(#"{"a":{"x":1,"y":2}}"#), kind: .tags, at: t1, limits: .standard)
        _ = try section.apply(mergePatch: jsonObject(#"{"a":5}"#), kind: .tags, at: t2, limits: .standard)
        #expect(section.metadata.member(at: ["a"]) == SectionMetadata(lastUpdated: t2, lastUpdatedVersion: 2))
        _ = try section.apply(mergePatch: jsonObject(#"{"a":{"z":3}}"#), kind: .tags, at: t3, limits: .standard)
        #expect(section.value == (try jsonObject(#"{"a":{"z":3}}"#)))
        #expect(section.metadata.member(at: ["a"])?.members.keys.sorted() == ["z"])
        #expect(section.metadata.member(at: ["a", "z"]) == SectionMetadata(lastUpdated: t3, lastUpdatedVersion: 3))
    }

    @Test("versions grow per section and per twin; the etag follows the twin version")
    func versionsAndEtags() throws {
        var twin = Twin(id: "dev", at: t0)
        var etags = [twin.etag]
        let first = try twin.apply(mergePatch: jsonObject(#"{"a":1}"#), to: .desired, at: t1)
        etags.append(twin.etag)
        let second = try twin.apply(mergePatch: jsonObject(#"{"a":2}"#), to: .desired, at: t2)
        etags.append(twin.etag)
        let reported = try twin.apply(mergePatch: jsonObject(#"{"a":2}"#), to: .reported, at: t3)
        etags.append(twin.etag)
        _ = try twin.apply(mergePatch: jsonObject(#"{"site":"x"}"#), to: .tags, at: t3)

        #expect([first.version, second.version, reported.version] == [1, 2, 1])
        #expect([first.kind, second.kind, reported.kind] == [.desired, .desired, .reported])
        #expect([twin.desired.version, twin.reported.version, twin.tags.version, twin.properties.version] == [2, 1, 1, 0])
        #expect(twin.version == 5)
        #expect(twin.updatedAt == t3 && twin.createdAt == t0)
        #expect(etags == [#"W/"0-1""#, #"W/"0-2""#, #"W/"0-3""#, #"W/"0-4""#])
        #expect(twin.etag == #"W/"0-5""#)
        // A twin re-created under the same id (another incarnation) at the same version has another etag.
        var recreated = Twin(id: "dev", at: t0)
        recreated.incarnation = 71
        #expect(recreated.etag == #"W/"1z-1""#)
    }

    @Test("a change records its patch and the inverse that restores the previous state")
    func inverseExample() throws {
        var section = TwinSection.empty(at: t0)
        _ = try section.apply(mergePatch: jsonObject(#"{"a":1,"b":{"c":2,"d":{"e":3}},"k":[1]}"#), kind: .desired, at: t1, limits: .standard)
        let before = section.value
        let patch = try jsonObject(#"{"a":null,"b":{"c":5,"d":{"e":null,"n":{"m":1}}},"k":{"x":1},"new":"v"}"#)
        let change = try section.apply(mergePatch: patch, kind: .desired, at: t2, limits: .standard)
        #expect(change.patch == patch)
        #expect(change.time == t2 && change.version == 2 && change.kind == .desired)
        #expect(JSONValue.object(change.inverse) == (try json(#"{"a":1,"b":{"c":2,"d":{"e":3,"n":null}},"k":[1],"new":null}"#)))
        let restored = JSONValue.object(section.value).mergePatched(with: .object(change.inverse))
        #expect(restored.isJSONEqual(to: .object(before)))
    }

    @Test("section.value merge-patched with change.inverse is the old value")
    func inverseProperty() async {
        await propertyCheck(count: 300, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3, nulls: true)) { old, patch in
            var section = TwinSection(value: old, version: 7, metadata: .stamping(old, at: t0, version: 7))
            let change = try section.apply(mergePatch: patch, kind: .reported, at: t1, limits: .standard)
            #expect(section.value == JSONValue.object(old).mergePatched(with: .object(patch)).objectValue)
            #expect(change.version == 8 && section.version == 8)
            let restored = JSONValue.object(section.value).mergePatched(with: .object(change.inverse))
            #expect(restored.isJSONEqual(to: .object(old)), "inverse \(change.inverse) gave \(restored)")
        }
    }

    @Test("a JSON Patch to a section is recorded as the merge patch it amounts to")
    func jsonPatchOnSection() throws {
        var twin = Twin(id: "dev", at: t0)
        _ = try twin.apply(mergePatch: jsonObject(#"{"a":1,"list":[1,2],"keep":{"x":1}}"#), to: .desired, at: t1)
        let patch = try JSONPatch(json(#"""
            [{"op":"add","path":"/list/-","value":3},{"op":"remove","path":"/a"},
             {"op":"add","path":"/b","value":{"c":true}},{"op":"test","path":"/keep/x","value":1}]
            """#))
        let change = try twin.apply(jsonPatch: patch, to: .desired, at: t2)
        #expect(JSONValue.object(twin.desired.value).isJSONEqual(to: try json(#"{"list":[1,2,3],"keep":{"x":1},"b":{"c":true}}"#)))
        #expect(JSONValue.object(change.patch).isJSONEqual(to: try json(#"{"a":null,"list":[1,2,3],"b":{"c":true}}"#)))
        #expect(JSONValue.object(change.inverse).isJSONEqual(to: try json(#"{"a":1,"list":[1,2],"b":null}"#)))
        #expect(twin.desired.version == 2 && twin.version == 3)
        #expect(twin.desired.metadata.member(at: ["keep", "x"]) == SectionMetadata(lastUpdated: t1, lastUpdatedVersion: 1))
        #expect(twin.desired.metadata.member(at: ["b", "c"]) == SectionMetadata(lastUpdated: t2, lastUpdatedVersion: 2))
        #expect(twin.desired.metadata.member(at: ["a"]) == nil)
    }

    @Test("a JSON Patch that fails or leaves a non-object changes nothing")
    func failedJSONPatch() throws {
        var twin = Twin(id: "dev", at: t0)
        _ = try twin.apply(mergePatch: jsonObject(#"{"a":1}"#), to: .reported, at: t1)
        let before = twin

        #expect(throws: TwinModelError.notAnObject(path: "reported", found: "array")) {
            try twin.apply(jsonPatch: JSONPatch(json(#"[{"op":"replace","path":"","value":[1]}]"#)), to: .reported, at: t2)
        }
        let failing = try JSONPatch(json(#"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}]"#))
        do {
            _ = try twin.apply(jsonPatch: failing, to: .reported, at: t2)
            Issue.record("a failing test operation was accepted")
        } catch {
            guard case .invalidPatch(let patchError) = error else {
                Issue.record("expected .invalidPatch, got \(error)")
                return
            }
            #expect(patchError.index == 1 && patchError.kind == .testFailed)
        }
        #expect(twin == before)
    }

    @Test("Timestamp.iso8601 for known instants", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (951_782_400_123, "2000-02-29T00:00:00.123Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (1_700_000_000_000, "2023-11-14T22:13:20.000Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-999, "1969-12-31T23:59:59.001Z"),
        (-1000, "1969-12-31T23:59:59.000Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (-86_400_001, "1969-12-30T23:59:59.999Z"),
        (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func iso8601(milliseconds: Int64, expected: String) {
        let timestamp = Timestamp(milliseconds: milliseconds)
        #expect(timestamp.iso8601 == expected)
        #expect(timestamp.description == expected)
    }

    @Test("epoch seconds and dates round down, before the epoch too")
    func epochSeconds() {
        #expect(Timestamp(milliseconds: 1999).epochSeconds == 1)
        #expect(Timestamp(milliseconds: -1).epochSeconds == -1)
        #expect(Timestamp(milliseconds: -1000).epochSeconds == -1)
        #expect(Timestamp(milliseconds: -1001).epochSeconds == -2)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.0005)).milliseconds == -1)
        #expect(Timestamp(Date(timeIntervalSince1970: 1.5)).milliseconds == 1500)
        #expect(t0 < t1 && !(t1 < t0))
    }

    @Test("iso8601 agrees with Foundation for whole seconds from 1900 to 2200")
    func iso8601AgreesWithFoundation() async {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        let seconds = Gen.int64(in: -2_208_988_800...7_258_118_400)
        await propertyCheck(count: 300, input: seconds, Gen.int64(in: 0...999)) { second, millisecond in
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(second)))  // …:SSZ
            let millis = String(millisecond + 1000).dropFirst()
            #expect(Timestamp(milliseconds: second * 1000 + millisecond).iso8601 == expected.dropLast() + "." + millis + "Z")
        }
    }
}
