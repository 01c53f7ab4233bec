import TwinModel

/// One thing's execution of a job, in the AWS IoT Jobs vocabulary: what the jobs topics report and the
/// state machine devices drive with `{jobId}/update`.
public struct JobExecution: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case queued = "QUEUED", inProgress = "IN_PROGRESS", succeeded = "SUCCEEDED", failed = "FAILED"
        case timedOut = "TIMED_OUT", rejected = "REJECTED", removed = "REMOVED", canceled = "CANCELED"

        public var isTerminal: Bool { self != .queued && self != .inProgress }

        /// What a device may set: the server alone queues, times out, removes and cancels.
        public var isSetByDevices: Bool { self == .inProgress || self == .succeeded || self == .failed || self == .rejected }
    }

    public var jobID: String
    public var thing: String
    public var document: JSONValue
    public var status: Status
    public var statusDetails: [String: String]
    public var queuedAt: Timestamp
    public var startedAt: Timestamp?
    public var lastUpdatedAt: Timestamp
    /// +1 on every accepted update: `expectedVersion` is checked against it.
    public var versionNumber: Int64
    public var executionNumber: Int64

    public init(
        jobID: String, thing: String, document: JSONValue, status: Status = .queued, statusDetails: [String: String] = [:],
        queuedAt: Timestamp, startedAt: Timestamp? = nil, lastUpdatedAt: Timestamp? = nil, versionNumber: Int64 = 1,
        executionNumber: Int64 = 1
    ) {
        self.jobID = jobID
        self.thing = thing
        self.document = document
        self.status = status
        self.statusDetails = statusDetails
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.lastUpdatedAt = lastUpdatedAt ?? queuedAt
        self.versionNumber = versionNumber
        self.executionNumber = executionNumber
    }

    /// The execution after a device's update, or the AWS error refusing it.
    public func applying(_ update: JobsRequest, at time: Timestamp) -> Result<JobExecution, JobsError> {
        guard let status = update.status else { return .failure(.invalidRequest("status is required", clientToken: update.clientToken)) }
        if let expected = update.expectedVersion, expected != versionNumber {
            return .failure(
                JobsError(code: .versionMismatch, message: "expectedVersion \(expected) does not match \(versionNumber)", clientToken: update.clientToken))
        }
        if let number = update.executionNumber, number != executionNumber {
            return .failure(.notFound(jobID: jobID, thing: thing, clientToken: update.clientToken))
        }
        if self.status.isTerminal {
            return .failure(
                JobsError(code: .terminalStateReached, message: "the execution is already \(self.status.rawValue)", clientToken: update.clientToken))
        }
        var next = self
        next.status = status
        if let details = update.statusDetails { next.statusDetails = details }
        if status == .inProgress, startedAt == nil { next.startedAt = time }
        next.lastUpdatedAt = time
        next.versionNumber += 1
        return .success(next)
    }

    /// `{jobId, queuedAt, startedAt?, lastUpdatedAt, versionNumber, executionNumber}`, as `jobs/get` lists it.
    var summary: JSONValue {
        var summary: JSONObject = [
            "jobId": .string(jobID), "queuedAt": JobsDocument.seconds(queuedAt), "lastUpdatedAt": JobsDocument.seconds(lastUpdatedAt),
            "versionNumber": .int(versionNumber), "executionNumber": .int(executionNumber),
        ]
        if let startedAt { summary["startedAt"] = JobsDocument.seconds(startedAt) }
        return .object(summary)
    }

    /// The whole execution, as `{jobId}/get`, `start-next` and `notify-next` give it.
    func execution(includingDocument: Bool = true) -> JSONValue {
        var execution: JSONObject = [
            "jobId": .string(jobID), "thingName": .string(thing), "status": .string(status.rawValue),
            "queuedAt": JobsDocument.seconds(queuedAt), "lastUpdatedAt": JobsDocument.seconds(lastUpdatedAt),
            "versionNumber": .int(versionNumber), "executionNumber": .int(executionNumber),
        ]
        if !statusDetails.isEmpty { execution["statusDetails"] = detailsObject }
        if let startedAt { execution["startedAt"] = JobsDocument.seconds(startedAt) }
        if includingDocument { execution["jobDocument"] = document }
        return .object(execution)
    }

    /// `{status, statusDetails?, versionNumber}`, the `executionState` of update replies.
    var executionState: JSONValue {
        var state: JSONObject = ["status": .string(status.rawValue), "versionNumber": .int(versionNumber)]
        if !statusDetails.isEmpty { state["statusDetails"] = detailsObject }
        return .object(state)
    }

    private var detailsObject: JSONValue {
        .strings(statusDetails)
    }
}
