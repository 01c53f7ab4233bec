/// Several authenticators in order: the first that ``MQTTAuthenticator/handles(_:)`` a client's credentials
/// decides whether it may connect and, later, which topics it may use. A client none of them handles is
/// refused with 0x87 Not authorized.
///
/// `doppel serve` chains the certificate provider before its anonymous policy: a client with a verified
/// certificate is judged by its certificate, every other client as before.
public struct MQTTAuthenticatorChain: MQTTAuthenticator {
    /// The identity attribute that remembers which member accepted the client.
    static let memberAttribute = "mqtt.authenticator"
    let members: [any MQTTAuthenticator]
    /// One attribute dictionary per member, shared by every identity without attributes of its own: an
    /// anonymous client then costs no dictionary of its own.
    let memberTags: [[String: String]]

    public init(_ members: [any MQTTAuthenticator]) {
        self.members = members
        self.memberTags = members.indices.map { [Self.memberAttribute: String($0)] }
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        guard let index = members.firstIndex(where: { $0.handles(credentials) }) else { return .refused(.notAuthorized) }
        return tagged(await members[index].authenticate(credentials), member: index)
    }

    public func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? {
        guard let index = members.firstIndex(where: { $0.handles(credentials) }) else { return .refused(.notAuthorized) }
        return members[index].authenticateImmediately(credentials).map { tagged($0, member: index) }
    }

    public func handles(_ credentials: MQTTCredentials) -> Bool {
        members.contains { $0.handles(credentials) }
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        member(for: identity)?.mayPublish(identity, to: topic) ?? false
    }

    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        member(for: identity)?.maySubscribe(identity, to: filter) ?? false
    }

    private func member(for identity: MQTTIdentity) -> (any MQTTAuthenticator)? {
        guard let tag = identity.attributes[Self.memberAttribute], let index = Int(tag), members.indices.contains(index) else {
            return nil
        }
        return members[index]
    }

    private func tagged(_ result: MQTTAuthenticationResult, member index: Int) -> MQTTAuthenticationResult {
        guard case .accepted(var identity) = result else { return result }
        if identity.attributes.isEmpty {
            identity.attributes = memberTags[index]
        } else {
            identity.attributes[Self.memberAttribute] = String(index)
        }
        return .accepted(identity)
    }
}
