/// Mutual TLS devices: a client whose verified certificate's subject Common Name equals its client
/// identifier is accepted as that device; one whose CN differs is refused with 0x87 Not authorized. It
/// handles only clients that presented a certificate (see ``MQTTCredentials/certificateCommonName``); a
/// user name or password sent alongside is ignored, the certificate being the stronger proof.
///
/// Topics are authorized by `authorization`'s `mayPublish` / `maySubscribe`, since which topics a device
/// owns is the application's knowledge, not the certificate's.
public struct X509CommonNameAuthenticator: MQTTAuthenticator {
    let authorization: any MQTTAuthenticator

    public init(authorizingWith authorization: any MQTTAuthenticator = AllowAllAuthenticator()) {
        self.authorization = authorization
    }

    public func handles(_ credentials: MQTTCredentials) -> Bool {
        credentials.certificateCommonName != nil
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        authenticateImmediately(credentials)!
    }

    public func authenticateImmediately(_ credentials: MQTTCredentials) -> MQTTAuthenticationResult? {
        guard let commonName = credentials.certificateCommonName, !commonName.isEmpty, commonName == credentials.clientID else {
            return .refused(.notAuthorized)
        }
        return .accepted(MQTTIdentity(name: commonName, attributes: ["device": commonName, "authentication": "x509"]))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        authorization.mayPublish(identity, to: topic)
    }

    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        authorization.maySubscribe(identity, to: filter)
    }
}
