/// The MQTT user name of an IoT Hub device: `{hostname}/{clientId}/?api-version=…[&…]`. The api-version and
/// any other query keys (`DeviceClientType`, `model-id`, …) are accepted and ignored.
public struct AzureUsername: Sendable, Hashable {
    public var host: String
    public var clientID: String

    /// Parses `username` for the client `clientID` (which may itself contain a `/`, as module ids do);
    /// `nil` unless the user name is `{host}/{clientID}/` followed by nothing or a query.
    public init?(_ username: String, clientID: String) {
        guard !clientID.isEmpty, let slash = username.firstIndex(of: "/") else { return nil }
        let host = username[..<slash]
        let rest = username[username.index(after: slash)...]
        guard !host.isEmpty, rest.hasPrefix(clientID + "/") else { return nil }
        let tail = rest.dropFirst(clientID.count + 1)
        guard tail.isEmpty || tail.hasPrefix("?") else { return nil }
        self.host = String(host)
        self.clientID = clientID
    }

    /// Whether a user name looks like an IoT Hub device's, for an authenticator chain to route it here
    /// before the native `{tenant}/{deviceId}` form.
    public static func looksLikeAzure(_ username: String, clientID: String) -> Bool {
        username.contains("/?api-version=") || AzureUsername(username, clientID: clientID) != nil
    }
}
