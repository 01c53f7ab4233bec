import Crypto
import Foundation
import NIOCore

/// What a client presents at CONNECT.
public struct MQTTCredentials: Sendable {
    public var clientID: String
    public var username: String?
    public var password: ByteBuffer?
    /// The Common Name of the client's TLS certificate, when mutual TLS verified one.
    public var certificateCommonName: String?
    /// The client's TLS certificate (DER), when mutual TLS verified one; for thumbprint checks.
    public var certificateDER: [UInt8]?
    public var remoteAddress: SocketAddress?

    public init(
        clientID: String, username: String? = nil, password: ByteBuffer? = nil, certificateCommonName: String? = nil,
        certificateDER: [UInt8]? = nil, remoteAddress: SocketAddress? = nil
    ) {
        self.clientID = clientID
        self.username = username
        self.password = password
        self.certificateCommonName = certificateCommonName
        self.certificateDER = certificateDER
        self.remoteAddress = remoteAddress
    }
}

/// Who an accepted client is, as the authenticator decided; authorization asks about it.
public struct MQTTIdentity: Sendable, Hashable {
    /// A name for logs and metrics (a user name, a device id, "anonymous").
    public var name: String
    /// Whatever the authenticator wants authorization to know (tenant, device, role…).
    public var attributes: [String: String]

    public init(name: String, attributes: [String: String] = [:]) {
        self.name = name
        self.attributes = attributes
    }

    /// Who owns a session this identity opens: a client id may resume or take over only a session of the
    /// same identity, so one device cannot reach another's session through an equal client id.
    ///
    /// It is the first 15 hex digits (60 bits) of a SHA-256 of the identity: short enough for Swift to keep
    /// inline in every session without an allocation, and stable across restarts for persistence.
    public var sessionOwner: String {
        let text = ([name] + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: "\u{1F}")
        return SHA256.hash(data: Array(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined().prefix(15).description
    }
}

public enum MQTTAuthenticationResult: Sendable, Equatable {
    case accepted(MQTTIdentity)
    /// Refused with a CONNACK reason code, e.g. ``MQTTReasonCode/badUserNameOrPassword`` or
    /// ``MQTTReasonCode/notAuthorized`` (mapped to 3.1.1 return codes 4 and 5).
    case refused(MQTTReasonCode)
}

/// The seam the rest of Doppel fills: who may connect, and what they may publish and subscribe to.
///
/// `mayPublish` and `maySubscribe` run on the connection's event loop for every PUBLISH and SUBSCRIBE,
/// so they must be quick and must not block.
public protocol MQTTAuthenticator: Sendable {
    func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult
    /// An answer without suspending, when the authenticator has one; saves a task hop per CONNECT.
    func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult?
    func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool
    func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool
    /// Whether this authenticator decides about these credentials at all (a certificate provider about
    /// clients with a certificate, a password file about clients with a user name); an
    /// ``MQTTAuthenticatorChain`` asks the next member when not. Every client, unless said otherwise.
    func handles(_ credentials: MQTTCredentials) -> Bool
}

extension MQTTAuthenticator {
    public func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? { nil }
    public func handles(_ credentials: MQTTCredentials) -> Bool { true }
}

/// Accepts every client and allows every topic: for development and closed networks.
public struct AllowAllAuthenticator: MQTTAuthenticator {
    public init() {}

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        authenticateImmediately(credentials)!
    }

    public func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? {
        .accepted(MQTTIdentity(name: credentials.username ?? credentials.clientID))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool { true }
    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool { true }
}
