import TwinModel

/// A jobs request's payload, checked as AWS checks it: every request may carry a `clientToken`; updates
/// carry `status`, `statusDetails`, `expectedVersion`, `executionNumber`, `includeJobExecutionState`,
/// `includeJobDocument` and `stepTimeoutInMinutes`.
public struct JobsRequest: Sendable, Equatable {
    public var clientToken: String?
    public var status: JobExecution.Status?
    public var statusDetails: [String: String]?
    public var expectedVersion: Int64?
    public var executionNumber: Int64?
    public var includeJobExecutionState = false
    public var includeJobDocument = true
    public var stepTimeoutInMinutes: Int64?

    /// AWS limits: clientToken ≤ 64 bytes; statusDetails ≤ 10 entries with keys ≤ 128 and values ≤ 1,024
    /// bytes; stepTimeoutInMinutes 1 to 10,080 (or -1 to clear it).
    static let maximumClientTokenBytes = 64
    static let maximumStatusDetails = 10

    public init() {}

    public static func parse(_ bytes: [UInt8], for operation: JobsTopic.Operation) -> Result<JobsRequest, JobsError> {
        var request = JobsRequest()
        let isUpdate = if case .update = operation { true } else { false }
        if !isUpdate, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(request) }
        guard let value = try? JSONParser().parse(bytes), case .object(let object) = value else {
            return .failure(JobsError(code: .invalidJSON, message: "the payload is not a JSON object"))
        }
        if let token = object["clientToken"] {
            guard case .string(let text) = token, text.utf8.count <= maximumClientTokenBytes else {
                return .failure(.invalidRequest("clientToken must be a string of at most 64 bytes"))
            }
            request.clientToken = text
        }
        let token = request.clientToken
        func integer(_ name: String) -> Result<Int64?, JobsError> {
            switch object[name] {
            case nil: .success(nil)
            case .int(let number)?: .success(number)
            default: .failure(.invalidRequest("\(name) must be an integer", clientToken: token))
            }
        }
        func flag(_ name: String) -> Result<Bool?, JobsError> {
            switch object[name] {
            case nil: .success(nil)
            case .bool(let value)?: .success(value)
            default: .failure(.invalidRequest("\(name) must be a boolean", clientToken: token))
            }
        }
        do {
            request.executionNumber = try integer("executionNumber").get()
            request.includeJobDocument = try flag("includeJobDocument").get() ?? true
            request.stepTimeoutInMinutes = try integer("stepTimeoutInMinutes").get()
            if let minutes = request.stepTimeoutInMinutes, minutes != -1, !(1...10_080).contains(minutes) {
                return .failure(.invalidRequest("stepTimeoutInMinutes must be from 1 to 10080, or -1", clientToken: token))
            }
            request.statusDetails = try statusDetails(object["statusDetails"], clientToken: token).get()
            guard isUpdate else { return .success(request) }
            request.expectedVersion = try integer("expectedVersion").get()
            request.includeJobExecutionState = try flag("includeJobExecutionState").get() ?? false
            request.includeJobDocument = try flag("includeJobDocument").get() ?? false
        } catch {
            return .failure(error)
        }
        guard case .string(let text)? = object["status"] else { return .failure(.invalidRequest("status is required", clientToken: token)) }
        guard let status = JobExecution.Status(rawValue: text), status.isSetByDevices else {
            return .failure(.invalidRequest("status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED", clientToken: token))
        }
        request.status = status
        return .success(request)
    }

    private static func statusDetails(_ value: JSONValue?, clientToken: String?) -> Result<[String: String]?, JobsError> {
        guard let value else { return .success(nil) }
        guard case .object(let object) = value, object.count <= maximumStatusDetails else {
            return .failure(.invalidRequest("statusDetails must be an object of at most 10 strings", clientToken: clientToken))
        }
        var details: [String: String] = [:]
        for (key, member) in object {
            guard case .string(let text) = member, !key.isEmpty, key.utf8.count <= 128, text.utf8.count <= 1_024 else {
                return .failure(.invalidRequest("statusDetails.\(key) must be a string of at most 1024 bytes", clientToken: clientToken))
            }
            details[key] = text
        }
        return .success(details)
    }
}

/// A refusal on a jobs `…/rejected` topic: `{code, message, clientToken?, timestamp, executionState?}`.
public struct JobsError: Error, Sendable, Equatable {
    /// The codes of the AWS IoT Jobs device API.
    public enum Code: String, Sendable {
        case invalidTopic = "InvalidTopic", invalidJSON = "InvalidJson", invalidRequest = "InvalidRequest"
        case invalidStateTransition = "InvalidStateTransition", resourceNotFound = "ResourceNotFound"
        case versionMismatch = "VersionMismatch", internalError = "InternalError", requestThrottled = "RequestThrottled"
        case terminalStateReached = "TerminalStateReached"
    }

    public var code: Code
    public var message: String
    public var clientToken: String?
    public var executionState: JSONValue?

    public init(code: Code, message: String, clientToken: String? = nil, executionState: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.clientToken = clientToken
        self.executionState = executionState
    }

    static func invalidRequest(_ message: String, clientToken: String? = nil) -> JobsError {
        JobsError(code: .invalidRequest, message: message, clientToken: clientToken)
    }

    static func notFound(jobID: String, thing: String, clientToken: String?) -> JobsError {
        JobsError(code: .resourceNotFound, message: "No job execution of job \(jobID) for thing \(thing)", clientToken: clientToken)
    }
}
