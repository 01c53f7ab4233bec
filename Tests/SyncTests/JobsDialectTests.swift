import Testing
import TwinModel
@testable import Sync

@Suite("AWS IoT Jobs topics, requests and the execution state machine")
struct JobsDialectTests {
    @Test(arguments: [
        ("$aws/things/pump-1/jobs/get", JobsTopic.Operation.listPending),
        ("$aws/things/pump-1/jobs/start-next", .startNext),
        ("$aws/things/pump-1/jobs/$next/get", .describe(jobID: "$next")),
        ("$aws/things/pump-1/jobs/fw_2-1/get", .describe(jobID: "fw_2-1")),
        ("$aws/things/pump-1/jobs/fw_2-1/update", .update(jobID: "fw_2-1")),
    ] as [(String, JobsTopic.Operation)])
    func parsesRequests(topic: String, operation: JobsTopic.Operation) throws {
        let parsed = try #require(JobsTopic(topic))
        #expect(parsed == JobsTopic(thing: "pump-1", operation: operation))
        #expect(parsed.name == topic)
        #expect(parsed.reply("rejected") == topic + "/rejected")
    }

    @Test(arguments: [
        "$aws/things/pump-1/jobs/get/accepted", "$aws/things/pump-1/jobs/notify", "$aws/things/pump-1/jobs/notify-next",
        "$aws/things/pump-1/jobs/$next/update", "$aws/things/pump-1/jobs/bad.id/get", "$aws/things/pump-1/jobs/fw/get/accepted",
        "$aws/things//jobs/get", "$aws/things/pump-1/shadow/get", "$aws/things/pump-1/jobs/" + String(repeating: "j", count: 65) + "/get",
    ])
    func ignoresRepliesAndInvalidNames(topic: String) {
        #expect(JobsTopic(topic) == nil)
    }

    @Test func parsesAnUpdateWithEveryField() throws {
        let payload = #"{"status":"IN_PROGRESS","statusDetails":{"step":"download"},"expectedVersion":3,"executionNumber":1,"#
            + #""includeJobExecutionState":true,"stepTimeoutInMinutes":30,"clientToken":"c-1"}"#
        let request = try JobsRequest.parse(Array(payload.utf8), for: .update(jobID: "fw")).get()
        #expect(request.status == .inProgress && request.statusDetails == ["step": "download"])
        #expect(request.expectedVersion == 3 && request.executionNumber == 1 && request.stepTimeoutInMinutes == 30)
        #expect(request.includeJobExecutionState && !request.includeJobDocument && request.clientToken == "c-1")
    }

    @Test func anEmptyPayloadIsAValidReadButNotAnUpdate() throws {
        #expect(try JobsRequest.parse([], for: .listPending).get() == JobsRequest())
        #expect(try JobsRequest.parse([], for: .describe(jobID: "fw")).get().includeJobDocument)
        #expect(JobsRequest.parse([], for: .update(jobID: "fw")) == .failure(JobsError(code: .invalidJSON, message: "the payload is not a JSON object")))
    }

    @Test(arguments: [
        (#"{"status":"CANCELED"}"#, JobsError.Code.invalidRequest),
        (#"{"status":"DONE"}"#, .invalidRequest),
        (#"{"statusDetails":{"a":"b"}}"#, .invalidRequest),
        (#"{"status":"FAILED","statusDetails":{"n":1}}"#, .invalidRequest),
        (#"{"status":"FAILED","expectedVersion":"3"}"#, .invalidRequest),
        (#"{"status":"FAILED","stepTimeoutInMinutes":20000}"#, .invalidRequest),
        (#"{"status":"FAILED","clientToken":7}"#, .invalidRequest),
        (#"[1]"#, .invalidJSON),
        (#"{"status":"#, .invalidJSON),
    ])
    func refusesMalformedUpdates(payload: String, code: JobsError.Code) {
        guard case .failure(let error) = JobsRequest.parse(Array(payload.utf8), for: .update(jobID: "fw")) else {
            Issue.record("accepted \(payload)")
            return
        }
        #expect(error.code == code)
    }

    private static let queued = JobExecution(jobID: "fw", thing: "pump-1", document: ["url": "https://x/fw.bin"], queuedAt: Timestamp(milliseconds: 1_000))

    private func update(_ json: String) throws -> JobsRequest {
        try JobsRequest.parse(Array(json.utf8), for: .update(jobID: "fw")).get()
    }

    @Test func anExecutionMovesThroughInProgressToATerminalState() throws {
        let started = try Self.queued.applying(update(#"{"status":"IN_PROGRESS","statusDetails":{"step":"download"}}"#), at: Timestamp(milliseconds: 2_000)).get()
        #expect(started.status == .inProgress && started.versionNumber == 2 && started.startedAt == Timestamp(milliseconds: 2_000))
        let done = try started.applying(update(#"{"status":"SUCCEEDED","expectedVersion":2}"#), at: Timestamp(milliseconds: 3_000)).get()
        #expect(done.status == .succeeded && done.versionNumber == 3 && done.startedAt == started.startedAt)
        #expect(done.statusDetails == ["step": "download"] && done.lastUpdatedAt == Timestamp(milliseconds: 3_000))
        guard case .failure(let error) = done.applying(try update(#"{"status":"FAILED"}"#), at: Timestamp(milliseconds: 4_000)) else {
            Issue.record("a terminal execution changed")
            return
        }
        #expect(error.code == .terminalStateReached)
    }

    @Test func aStaleExpectedVersionOrAnotherExecutionNumberIsRefused() throws {
        let stale = Self.queued.applying(try update(#"{"status":"IN_PROGRESS","expectedVersion":7,"clientToken":"c"}"#), at: .now)
        #expect(stale.failureCode == .versionMismatch)
        let other = Self.queued.applying(try update(#"{"status":"IN_PROGRESS","executionNumber":2}"#), at: .now)
        #expect(other.failureCode == .resourceNotFound)
    }

    @Test func documentsCarryAWSFieldNamesAndEpochSeconds() throws {
        let time = Timestamp(milliseconds: 1_700_000_000_500)
        let pending = JobsDocument.pending([Self.queued], clientToken: "c", at: time)
        let summary: JSONValue = ["jobId": "fw", "queuedAt": .int(1), "lastUpdatedAt": .int(1), "versionNumber": .int(1), "executionNumber": .int(1)]
        #expect(pending == ["inProgressJobs": .array([]), "queuedJobs": .array([summary]), "timestamp": .int(1_700_000_000), "clientToken": "c"])
        let execution = JobsDocument.execution(Self.queued, clientToken: nil, at: time)
        #expect(execution["execution"]?["status"] == "QUEUED" && execution["execution"]?["jobDocument"]?["url"] == "https://x/fw.bin")
        #expect(execution["clientToken"] == nil)
        let update = try JobsRequest.parse(
            Array(#"{"status":"IN_PROGRESS","includeJobExecutionState":true,"clientToken":"u"}"#.utf8), for: .update(jobID: "fw")
        ).get()
        let updated = JobsDocument.updated(Self.queued, request: update, at: time)
        #expect(updated == ["timestamp": .int(1_700_000_000), "executionState": ["status": "QUEUED", "versionNumber": .int(1)], "clientToken": "u"])
        let rejected = JobsDocument.rejected(JobsError(code: .versionMismatch, message: "m", clientToken: "c"), at: time)
        #expect(rejected == ["code": "VersionMismatch", "message": "m", "timestamp": .int(1_700_000_000), "clientToken": "c"])
    }
}

extension Result where Failure == JobsError {
    fileprivate var failureCode: JobsError.Code? {
        if case .failure(let error) = self { error.code } else { nil }
    }
}
