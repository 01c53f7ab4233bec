/// A topic of the native dialect: `tenant/{tenant}/device/{device}/{path}`, optionally ending in `?rid={id}`
/// (a request id for 3.1.1 clients, which have no correlation data).
public struct DeviceTopic: Sendable, Hashable {
    public var tenant: String
    public var device: String
    /// What follows the device's prefix, without the request id: `telemetry`, `twin/reported`, …
    public var path: String
    public var requestID: String?

    public init(tenant: String, device: String, path: String, requestID: String? = nil) {
        self.tenant = tenant
        self.device = device
        self.path = path
        self.requestID = requestID
    }

    /// Parses a topic name; `nil` for topics outside the native namespace.
    public init?(_ topic: String) {
        let levels = topic.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard levels.count == 5, levels[0] == "tenant", levels[2] == "device", !levels[1].isEmpty, !levels[3].isEmpty,
            !levels[4].isEmpty
        else { return nil }
        tenant = String(levels[1])
        device = String(levels[3])
        var path = levels[4]
        requestID = nil
        if let query = path.firstIndex(of: "?") {
            let parameters = path[path.index(after: query)...]
            path = path[..<query]
            for parameter in parameters.split(separator: "&") where parameter.hasPrefix("rid=") {
                requestID = String(parameter.dropFirst(4))
            }
        }
        self.path = String(path)
    }

    /// `tenant/{tenant}/device/{device}/`, the start of every topic of one device.
    public static func prefix(tenant: String, device: String) -> String {
        "tenant/\(tenant)/device/\(device)/"
    }

    /// The topic name, with the request id when there is one.
    public var name: String {
        Self.prefix(tenant: tenant, device: device) + path + (requestID.map { "?rid=\($0)" } ?? "")
    }
}
