import NIOCore

/// Clients with a user name and password, checked against a ``PasswordFile``: a known user with the right
/// password is accepted under its user name; anyone else with a user name is refused with 0x86 Bad user
/// name or password (3.1.1 return code 4). It handles only clients that send a user name.
///
/// Hashing takes a while by design, so it runs off the event loop (``authenticate(_:)`` only); an unknown
/// user costs as much as a known one, so timing does not tell which user names exist.
///
/// Topics are authorized by `authorization`'s `mayPublish` / `maySubscribe`.
public struct PasswordFileAuthenticator: MQTTAuthenticator {
    let users: [String: PasswordHash]
    let authorization: any MQTTAuthenticator
    /// Checked against when the user is unknown, to spend the same time.
    private let decoy: PasswordHash

    public init(_ file: PasswordFile, authorizingWith authorization: any MQTTAuthenticator = AllowAllAuthenticator()) {
        self.users = file.users
        self.authorization = authorization
        let iterations = file.users.values.map(\.iterations).max() ?? PasswordHash.iterationRange.lowerBound
        self.decoy = PasswordHash(password: "", salt: Array(repeating: 0, count: 16), iterations: iterations)
    }

    public func handles(_ credentials: MQTTCredentials) -> Bool {
        credentials.username != nil
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        guard let username = credentials.username else { return .refused(.badUserNameOrPassword) }
        let password = credentials.password.map { Array($0.readableBytesView) } ?? []
        guard let hash = users[username] else {
            _ = decoy.verifies(password)
            return .refused(.badUserNameOrPassword)
        }
        guard credentials.password != nil, hash.verifies(password) else { return .refused(.badUserNameOrPassword) }
        return .accepted(MQTTIdentity(name: username, attributes: ["authentication": "password"]))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        authorization.mayPublish(identity, to: topic)
    }

    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        authorization.maySubscribe(identity, to: filter)
    }
}
