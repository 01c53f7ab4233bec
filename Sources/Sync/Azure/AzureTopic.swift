/// A topic an IoT Hub device publishes to, and the names of the topics IoT Hub answers on.
///
/// IoT Hub's `$iothub/…` topics name no device: the connection does. Device topics carry the device id.
public enum AzureTopic: Sendable, Hashable {
    /// `$iothub/twin/GET/?$rid={rid}`
    case getTwin(requestID: String)
    /// `$iothub/twin/PATCH/properties/reported/?$rid={rid}`
    case patchReported(requestID: String)
    /// `$iothub/methods/res/{status}/?$rid={rid}`
    case methodResponse(status: Int, requestID: String)
    /// `devices/{deviceId}/messages/events/{url-encoded properties}`
    case telemetry(device: String, properties: String)

    /// Parses a topic a device published to; `nil` for anything else, including twin and method topics
    /// without a `$rid`.
    public init?(_ topic: String) {
        if topic.hasPrefix("devices/") {
            let levels = topic.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
            guard levels.count >= 4, !levels[1].isEmpty, levels[2] == "messages", levels[3] == "events" else { return nil }
            self = .telemetry(device: String(levels[1]), properties: levels.count == 5 ? String(levels[4]) : "")
            return
        }
        guard let query = topic.firstIndex(of: "?") else { return nil }
        let path = topic[..<query]
        var requestID: String?
        for parameter in topic[topic.index(after: query)...].split(separator: "&") where parameter.hasPrefix("$rid=") {
            requestID = String(parameter.dropFirst(5))
        }
        guard let requestID, !requestID.isEmpty else { return nil }
        switch path {
        case "$iothub/twin/GET/": self = .getTwin(requestID: requestID)
        case "$iothub/twin/PATCH/properties/reported/": self = .patchReported(requestID: requestID)
        default:
            let levels = path.split(separator: "/", omittingEmptySubsequences: false)
            guard levels.count == 5, levels[0] == "$iothub", levels[1] == "methods", levels[2] == "res", levels[4].isEmpty,
                let status = Int(levels[3])
            else { return nil }
            self = .methodResponse(status: status, requestID: requestID)
        }
    }

    /// Where a twin request's answer goes: `$iothub/twin/res/{status}/?$rid={rid}[&$version={v}]`.
    public static func twinResponse(status: Int, requestID: String, version: Int64? = nil) -> String {
        "$iothub/twin/res/\(status)/?$rid=\(requestID)" + (version.map { "&$version=\($0)" } ?? "")
    }

    /// Where a desired change goes: `$iothub/twin/PATCH/properties/desired/?$version={v}`.
    public static func desiredPatch(version: Int64) -> String {
        "$iothub/twin/PATCH/properties/desired/?$version=\(version)"
    }

    /// Where a direct method call goes: `$iothub/methods/POST/{method}/?$rid={rid}`.
    public static func methodRequest(_ method: String, requestID: String) -> String {
        "$iothub/methods/POST/\(method)/?$rid=\(requestID)"
    }

    /// `devices/{deviceId}/messages/devicebound/`, where cloud-to-device messages go, their properties after it.
    public static func cloudToDevicePrefix(device: String) -> String {
        "devices/\(device)/messages/devicebound/"
    }
}
