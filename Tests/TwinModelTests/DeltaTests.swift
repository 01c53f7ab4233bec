import OrderedCollections
import PropertyBased
import Testing
@testable import TwinModel

/// The delta of two objects written as JSON text, encoded (member order is desired's).
private func delta(desired: String, reported: String) throws -> String? {
    try Delta.between(desired: jsonObject(desired), reported: jsonObject(reported)).map { JSONValue.object($0).encodedString() }
}

@Suite("Shadow delta")
struct DeltaTests {
    @Test("the AWS IoT shadow documentation example")
    func awsExample() throws {
        // desired: color red, state on; reported: color green, state on → delta {"color":"red"}.
        #expect(try delta(desired: #"{"color":"red","state":"on"}"#, reported: #"{"color":"green","state":"on"}"#) == #"{"color":"red"}"#)
        // Nested objects: only the members that differ, recursively.
        let desired = #"{"lights":{"color":"red","brightness":80},"fan":{"speed":2,"mode":"auto"}}"#
        let reported = #"{"lights":{"color":"green","brightness":80},"fan":{"speed":2,"mode":"auto"},"temperature":21}"#
        #expect(try delta(desired: desired, reported: reported) == #"{"lights":{"color":"red"}}"#)
    }

    @Test("delta rules", arguments: [
        // A desired key missing from reported is in the delta.
        (#"{"a":1}"#, #"{}"#, #"{"a":1}"#),
        (#"{"a":{"b":{"c":1}}}"#, #"{}"#, #"{"a":{"b":{"c":1}}}"#),
        // Equal values give no delta.
        (#"{"a":1,"b":"x","c":[1,2],"d":{"e":true}}"#, #"{"a":1,"b":"x","c":[1,2],"d":{"e":true}}"#, nil),
        // 1 and 1.0 are the same number.
        (#"{"a":1}"#, #"{"a":1.0}"#, nil),
        (#"{"a":[1.0,{"b":2}]}"#, #"{"a":[1,{"b":2.0}]}"#, nil),
        // Nested objects partially differing: only the differing members, at their depth.
        (#"{"a":{"b":1,"c":2,"d":{"e":3,"f":4}}}"#, #"{"a":{"b":1,"c":5,"d":{"e":3,"f":0}}}"#, #"{"a":{"c":2,"d":{"f":4}}}"#),
        (#"{"a":{"b":1,"c":2}}"#, #"{"a":{"b":1}}"#, #"{"a":{"c":2}}"#),
        // Arrays compare whole and go into the delta whole.
        (#"{"a":[1,2,3]}"#, #"{"a":[1,2,4]}"#, #"{"a":[1,2,3]}"#),
        (#"{"a":[1,2,3]}"#, #"{"a":[1,2]}"#, #"{"a":[1,2,3]}"#),
        (#"{"a":[{"x":1},{"y":2}]}"#, #"{"a":[{"x":1},{"y":3}]}"#, #"{"a":[{"x":1},{"y":2}]}"#),
        (#"{"a":[2,1]}"#, #"{"a":[1,2]}"#, #"{"a":[2,1]}"#),
        // Keys only in reported never appear.
        (#"{"a":1}"#, #"{"a":1,"b":2,"c":{"d":3}}"#, nil),
        (#"{"n":{"a":1}}"#, #"{"n":{"a":1,"extra":2}}"#, nil),
        (#"{"a":2}"#, #"{"a":1,"b":2}"#, #"{"a":2}"#),
        // Type changes: object against scalar and back, array against object, number against string.
        (#"{"a":{"b":1}}"#, #"{"a":5}"#, #"{"a":{"b":1}}"#),
        (#"{"a":5}"#, #"{"a":{"b":1}}"#, #"{"a":5}"#),
        (#"{"a":[]}"#, #"{"a":{}}"#, #"{"a":[]}"#),
        (#"{"a":{}}"#, #"{"a":[]}"#, #"{"a":{}}"#),
        (#"{"a":1}"#, #"{"a":"1"}"#, #"{"a":1}"#),
        (#"{"a":true}"#, #"{"a":1}"#, #"{"a":true}"#),
        (#"{"a":0}"#, #"{"a":false}"#, #"{"a":0}"#),
        // An empty desired object against reported's object has nothing left to apply.
        (#"{"a":{}}"#, #"{"a":{"b":1}}"#, nil),
        // Empty desired → no delta, whatever reported holds.
        (#"{}"#, #"{"a":1}"#, nil),
        (#"{}"#, #"{}"#, nil),
        // Member order follows desired.
        (#"{"z":1,"y":2,"x":3}"#, #"{"y":0}"#, #"{"z":1,"y":2,"x":3}"#),
    ] as [(String, String, String?)])
    func rules(desired: String, reported: String, expected: String?) throws {
        #expect(try delta(desired: desired, reported: reported) == expected)
    }

    @Test("a twin's delta is its desired section against its reported section")
    func twinDelta() throws {
        var twin = Twin(id: "dev", at: Timestamp(milliseconds: 0))
        #expect(twin.delta == nil)
        _ = try twin.apply(mergePatch: jsonObject(#"{"mode":"eco","target":{"t":21,"h":40}}"#), to: .desired, at: Timestamp(milliseconds: 1))
        #expect(twin.delta.map { JSONValue.object($0).encodedString() } == #"{"mode":"eco","target":{"t":21,"h":40}}"#)
        _ = try twin.apply(mergePatch: jsonObject(#"{"mode":"eco","target":{"t":21.0},"uptime":9}"#), to: .reported, at: Timestamp(milliseconds: 2))
        #expect(twin.delta.map { JSONValue.object($0).encodedString() } == #"{"target":{"h":40}}"#)
        _ = try twin.apply(mergePatch: jsonObject(#"{"target":{"h":40}}"#), to: .reported, at: Timestamp(milliseconds: 3))
        #expect(twin.delta == nil)
    }

    @Test("reported merge-patched with the delta leaves no delta")
    func deltaConverges() async {
        await propertyCheck(count: 300, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3)) { desired, reported in
            guard let delta = Delta.between(desired: desired, reported: reported) else {
                return
            }
            let updated = JSONValue.object(reported).mergePatched(with: .object(delta))
            let updatedObject = try #require(updated.objectValue)
            #expect(Delta.between(desired: desired, reported: updatedObject) == nil, "delta \(delta) applied to \(reported)")
        }
    }

    @Test("the delta only names desired keys, each with a value that differs from reported")
    func deltaShape() async {
        await propertyCheck(count: 300, input: JSONGen.object(depth: 3), JSONGen.object(depth: 3)) { desired, reported in
            let delta = Delta.between(desired: desired, reported: reported)
            #expect(delta?.isEmpty != true, "an empty delta must be nil")
            Self.check(delta: delta ?? [:], desired: desired, reported: reported)
            #expect(Delta.between(desired: desired, reported: desired) == nil)
        }
    }

    /// Every member of `delta` is a desired member that reported lacks or disagrees with.
    private static func check(delta: JSONObject, desired: JSONObject, reported: JSONObject) {
        for (key, value) in delta {
            guard let wanted = desired[key] else {
                Issue.record("delta key \(key) is not in desired")
                continue
            }
            if case .object(let nested) = value, case .object(let wantedObject) = wanted,
                case .object(let actualObject)? = reported[key]
            {
                check(delta: nested, desired: wantedObject, reported: actualObject)
            } else {
                #expect(value == wanted)
                #expect(reported[key].map { !$0.isJSONEqual(to: wanted) } ?? true)
            }
        }
    }
}
