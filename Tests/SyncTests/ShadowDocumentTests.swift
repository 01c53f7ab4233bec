import Testing
import TwinModel
@testable import Sync

@Suite("AWS IoT Device Shadow requests and documents")
struct ShadowDocumentTests {
    static func parse(_ text: String, _ operation: ShadowTopic.Operation = .update) -> Result<ShadowRequest, ShadowError> {
        ShadowRequest.parse(Array(text.utf8), operation: operation)
    }

    static func error(_ text: String, _ operation: ShadowTopic.Operation = .update) -> ShadowError? {
        if case .failure(let error) = parse(text, operation) { return error }
        return nil
    }

    @Test func parsesAnUpdate() throws {
        let request = try Self.parse(#"{"state":{"desired":{"a":1},"reported":null},"clientToken":"c1","version":4}"#).get()
        #expect(request.desired == .merge(["a": .int(1)]))
        #expect(request.reported == .clear)
        #expect(request.clientToken == "c1" && request.version == 4)
    }

    @Test func emptyGetsAndDeletesAreRequests() throws {
        #expect(try Self.parse("", .get).get() == ShadowRequest())
        #expect(try Self.parse(#"{"clientToken":"x"}"#, .delete).get().clientToken == "x")
        #expect(Self.error("", .update)?.message == "Invalid JSON")
    }

    @Test(arguments: [
        ("{not json", "Invalid JSON", nil),
        ("[1]", "Invalid JSON", nil),
        (#"{"clientToken":"c"}"#, "Missing required node: state", "c"),
        (#"{"state":1}"#, "State node must be an object", nil),
        (#"{"state":{"desired":[1]}}"#, "Desired node must be an object", nil),
        (#"{"state":{"reported":"x"}}"#, "Reported node must be an object", nil),
        (#"{"state":{},"version":"1"}"#, "Invalid version", nil),
        (#"{"state":{},"clientToken":7}"#, "Invalid clientToken", nil),
        (#"{"state":{"reported":{"a":[1,null]}}}"#, "Invalid JSON", nil),
        (#"{"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}}}"#, "JSON contains too many levels of nesting; maximum is 6", nil),
    ] as [(String, String, String?)])
    func refusesWithAWSMessages(payload: String, message: String, clientToken: String?) {
        #expect(Self.error(payload) == ShadowError(code: 400, message: message, clientToken: clientToken))
    }

    @Test func limitsTokensDepthAndSize() {
        let token = String(repeating: "t", count: 65)
        #expect(Self.error(#"{"state":{},"clientToken":"\#(token)"}"#)?.message == "Invalid clientToken")
        #expect((try? Self.parse(#"{"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}}}"#).get()) != nil, "depth 6 is allowed")
        let huge = #"{"state":{"reported":{"a":""# + String(repeating: "x", count: 129 * 1024) + #""}}}"#
        #expect(Self.error(huge)?.code == 413)
    }

    static func twin() throws -> Twin {
        var twin = Twin(id: "t1", at: Timestamp(milliseconds: 1_000_000))
        _ = try twin.apply(mergePatch: ["fan": .string("low"), "fw": .string("1.2")], to: .reported, at: Timestamp(milliseconds: 2_000_000))
        _ = try twin.apply(mergePatch: ["fan": .string("high"), "fw": .string("1.2"), "cfg": ["rate": .int(5)]], to: .desired, at: Timestamp(milliseconds: 3_500_000))
        return twin
    }

    @Test func getResponseHasStateDeltaMetadataAndVersion() throws {
        let twin = try Self.twin()
        let response = ShadowDocument.getResponse(twin, clientToken: "g", at: Timestamp(milliseconds: 9_000_000))
        let expected: JSONValue = [
            "state": [
                "desired": ["fan": .string("high"), "fw": .string("1.2"), "cfg": ["rate": .int(5)]],
                "reported": ["fan": .string("low"), "fw": .string("1.2")],
                "delta": ["fan": .string("high"), "cfg": ["rate": .int(5)]],
            ],
            "metadata": [
                "desired": ["fan": ["timestamp": .int(3500)], "fw": ["timestamp": .int(3500)], "cfg": ["rate": ["timestamp": .int(3500)]]],
                "reported": ["fan": ["timestamp": .int(2000)], "fw": ["timestamp": .int(2000)]],
            ],
            "version": .int(twin.version), "timestamp": .int(9000), "clientToken": .string("g"),
        ]
        #expect(response == expected)
    }

    @Test func deltaHasOnlyDifferingDesiredKeysAndNoneWhenInSync() throws {
        var twin = try Self.twin()
        let delta = try #require(ShadowDocument.delta(of: twin, at: Timestamp(milliseconds: 9_000_000))?.objectValue)
        #expect(delta["state"] == ["fan": .string("high"), "cfg": ["rate": .int(5)]])
        #expect(delta["metadata"] == ["fan": ["timestamp": .int(3500)], "cfg": ["rate": ["timestamp": .int(3500)]]])
        #expect(delta["version"] == .int(twin.version))
        _ = try twin.apply(mergePatch: ["fan": .string("high"), "cfg": ["rate": .int(5)]], to: .reported, at: Timestamp(milliseconds: 4_000_000))
        #expect(ShadowDocument.delta(of: twin, at: .now) == nil)
    }

    @Test func aTwinWithoutDesiredOrReportedHasNoShadow() throws {
        #expect(!ShadowDocument.exists(nil))
        #expect(!ShadowDocument.exists(Twin(id: "t", at: .now)))
        #expect(ShadowDocument.exists(try Self.twin()))
    }

    @Test func rejectionsAndClears() {
        let rejected = ShadowDocument.rejected(ShadowError(code: 409, message: "Version conflict", clientToken: "u"), at: Timestamp(milliseconds: 5_000))
        #expect(rejected == ["code": .int(409), "message": .string("Version conflict"), "timestamp": .int(5), "clientToken": .string("u")])
        #expect(DeviceSync.mergePatch(for: .clear, of: ["a": .int(1), "b": .int(2)]) == ["a": .null, "b": .null])
        #expect(DeviceSync.mergePatch(for: .clear, of: [:]) == nil)
        #expect(DeviceSync.mergePatch(for: .unchanged, of: ["a": .int(1)]) == nil)
    }
}
