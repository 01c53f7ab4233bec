import Broker

/// Who may use the embedded broker before devices are registered: with `--mqtt-allow-anonymous`, clients
/// without credentials, on topics outside the device namespaces; otherwise nobody.
///
/// A filter whose first level is a wildcard could match device topics, so anonymous clients may not
/// subscribe to it (`#`, `+/…`); `$SYS/…` is readable.
struct AnonymousMQTTPolicy: MQTTAuthenticator {
    static let deviceNamespaces: Set<Substring> = ["tenant", "devices", "$aws", "$iothub"]
    let allowAnonymous: Bool

    func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        authenticateImmediately(credentials)!
    }

    func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? {
        guard credentials.username == nil, credentials.password == nil else {
            // No credentials are registered yet, so none can be right.
            return .refused(.badUserNameOrPassword)
        }
        return allowAnonymous ? .accepted(MQTTIdentity(name: "anonymous")) : .refused(.notAuthorized)
    }

    func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        !Self.deviceNamespaces.contains(Self.firstLevel(of: topic)) && !topic.hasPrefix("$SYS")
    }

    func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        var inner = Substring(filter)
        if filter.hasPrefix("$share/"), let slash = filter.dropFirst(7).firstIndex(of: "/") {
            inner = filter[filter.index(after: slash)...]
        }
        let first = Self.firstLevel(of: inner)
        return first != "#" && first != "+" && !Self.deviceNamespaces.contains(first)
    }

    private static func firstLevel(of topic: some StringProtocol) -> Substring {
        Substring(topic).prefix { $0 != "/" }
    }
}
