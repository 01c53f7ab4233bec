/// A request topic of the AWS IoT Jobs device API under `$aws/things/{thing}/jobs/`: `get` (pending
/// executions), `start-next`, `{jobId}/get` and `{jobId}/update`, where `$next` names the next pending job.
public struct JobsTopic: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        /// `jobs/get`: the thing's in-progress and queued executions.
        case listPending
        /// `jobs/start-next`: the next queued execution moves to `IN_PROGRESS`.
        case startNext
        /// `jobs/{jobId}/get`.
        case describe(jobID: String)
        /// `jobs/{jobId}/update`.
        case update(jobID: String)
    }

    /// `$next` in place of a job id: the next pending execution.
    public static let nextJob = "$next"

    public var thing: String
    public var operation: Operation

    public init(thing: String, operation: Operation) {
        self.thing = thing
        self.operation = operation
    }

    /// Parses a request topic; `nil` for replies (`…/accepted`, `notify`…), other topics and invalid names.
    public init?(_ topic: String) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count == 5 || levels.count == 6, levels[0] == "$aws", levels[1] == "things", levels[3] == "jobs",
            !levels[2].isEmpty, levels[2].utf8.count <= ShadowTopic.maximumThingNameBytes
        else { return nil }
        let thing = String(levels[2])
        if levels.count == 5 {
            switch levels[4] {
            case "get": self.init(thing: thing, operation: .listPending)
            case "start-next": self.init(thing: thing, operation: .startNext)
            default: return nil
            }
            return
        }
        let jobID = String(levels[4])
        guard Self.isValidJobID(jobID) || jobID == Self.nextJob else { return nil }
        switch levels[5] {
        case "get": self.init(thing: thing, operation: .describe(jobID: jobID))
        case "update" where jobID != Self.nextJob: self.init(thing: thing, operation: .update(jobID: jobID))
        default: return nil
        }
    }

    /// AWS job ids: `[a-zA-Z0-9_-]{1,64}`.
    public static func isValidJobID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    /// The request topic itself.
    public var name: String {
        let prefix = ShadowTopic.thingPrefix(thing) + "jobs/"
        switch operation {
        case .listPending: return prefix + "get"
        case .startNext: return prefix + "start-next"
        case .describe(let jobID): return prefix + jobID + "/get"
        case .update(let jobID): return prefix + jobID + "/update"
        }
    }

    /// The topic of a reply to this request: `suffix` is `accepted` or `rejected`.
    public func reply(_ suffix: String) -> String {
        name + "/" + suffix
    }
}
