import Broker
import NIOCore
import TwinModel

/// The AWS IoT Jobs device API on `$aws/things/{thing}/jobs/…`: every request is answered on its
/// `…/accepted` or `…/rejected` topic in AWS's shapes. No job has executions yet (OTA jobs will create
/// them), so a thing's pending list is empty, `start-next` and `$next` find nothing, and a named job is
/// `ResourceNotFound`.
extension DeviceSync {
    static let jobsRequestFilter = "$aws/things/+/jobs/#"

    /// Answers the jobs requests a thing's own client publishes; replies on the same prefix come back here
    /// too and are ignored.
    func subscribeJobsRequests() throws {
        _ = try broker.subscribe(Self.jobsRequestFilter) { [weak self] message in
            guard let self, let publisher = message.publisherClientID, let topic = JobsTopic(message.topic), publisher == topic.thing
            else { return }
            self.answerJobs(message, topic: topic, at: .now)
        }
    }

    func answerJobs(_ message: MQTTMessage, topic: JobsTopic, at time: Timestamp) {
        let request: JobsRequest
        switch JobsRequest.parse(Array(message.payload.readableBytesView), for: topic.operation) {
        case .success(let parsed): request = parsed
        case .failure(let error): return publishJobs(JobsDocument.rejected(error, at: time), on: topic.reply("rejected"))
        }
        let executions: [JobExecution] = []
        switch topic.operation {
        case .listPending:
            publishJobs(JobsDocument.pending(executions, clientToken: request.clientToken, at: time), on: topic.reply("accepted"))
        case .startNext:
            publishJobs(JobsDocument.execution(nil, clientToken: request.clientToken, at: time), on: topic.reply("accepted"))
        case .describe(let jobID) where jobID == JobsTopic.nextJob:
            publishJobs(JobsDocument.execution(nil, clientToken: request.clientToken, at: time), on: topic.reply("accepted"))
        case .describe(let jobID), .update(let jobID):
            let missing = JobsError.notFound(jobID: jobID, thing: topic.thing, clientToken: request.clientToken)
            publishJobs(JobsDocument.rejected(missing, at: time), on: topic.reply("rejected"))
        }
    }

    private func publishJobs(_ body: JSONValue, on topic: String) {
        broker.publish(Self.shadowMessage(body, on: topic))
    }
}

/// The JSON documents of the jobs topics; timestamps are epoch seconds.
enum JobsDocument {
    static func seconds(_ time: Timestamp) -> JSONValue {
        .int(time.milliseconds / 1000)
    }

    /// `jobs/get/accepted`: `{inProgressJobs, queuedJobs, timestamp, clientToken?}`.
    static func pending(_ executions: [JobExecution], clientToken: String?, at time: Timestamp) -> JSONValue {
        var body: JSONObject = [
            "inProgressJobs": .array(executions.filter { $0.status == .inProgress }.map(\.summary)),
            "queuedJobs": .array(executions.filter { $0.status == .queued }.map(\.summary)), "timestamp": seconds(time),
        ]
        if let clientToken { body["clientToken"] = .string(clientToken) }
        return .object(body)
    }

    /// `start-next/accepted` and `{jobId}/get/accepted`: `{execution?, timestamp, clientToken?}`; without
    /// `execution` when there is none to give.
    static func execution(_ execution: JobExecution?, includingDocument: Bool = true, clientToken: String?, at time: Timestamp) -> JSONValue {
        var body: JSONObject = ["timestamp": seconds(time)]
        if let execution { body["execution"] = execution.execution(includingDocument: includingDocument) }
        if let clientToken { body["clientToken"] = .string(clientToken) }
        return .object(body)
    }

    /// `{jobId}/update/accepted`: `{executionState?, jobDocument?, timestamp, clientToken?}`.
    static func updated(_ execution: JobExecution, request: JobsRequest, at time: Timestamp) -> JSONValue {
        var body: JSONObject = ["timestamp": seconds(time)]
        if request.includeJobExecutionState { body["executionState"] = execution.executionState }
        if request.includeJobDocument { body["jobDocument"] = execution.document }
        if let clientToken = request.clientToken { body["clientToken"] = .string(clientToken) }
        return .object(body)
    }

    /// `…/rejected`: `{code, message, timestamp, clientToken?, executionState?}`.
    static func rejected(_ error: JobsError, at time: Timestamp) -> JSONValue {
        var body: JSONObject = ["code": .string(error.code.rawValue), "message": .string(error.message), "timestamp": seconds(time)]
        if let clientToken = error.clientToken { body["clientToken"] = .string(clientToken) }
        if let state = error.executionState { body["executionState"] = state }
        return .object(body)
    }
}
