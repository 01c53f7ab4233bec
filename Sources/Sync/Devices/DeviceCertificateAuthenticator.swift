import Broker
import TwinModel

/// Devices of the registry on mutual TLS, AWS IoT style: the client id names the device (the AWS thing) in
/// the tenant `default`, and the verified client certificate's SHA-256 or SHA-1 thumbprint must be one
/// registered for it (`x509Thumbprints`). Devices of other tenants arrive with per-tenant CAs later.
///
/// It handles clients that presented a certificate (see ``handles(_:)``). A client id that is no device of the registry is
/// left to `otherwise` (the Common Name check), so certificate clients outside the registry keep working;
/// a registered device is judged by the registry alone: a certificate it does not list is refused with
/// 0x86, a disabled device with 0x87.
///
/// A device it accepted may use its native topics and `$aws/things/{thing}/shadow/…` (and `…/jobs/…`)
/// of its own thing only. One that logged in with an IoT Hub user name (`{host}/{deviceId}/?api-version=…`,
/// IoT Hub's X.509 authentication) may also use IoT Hub's topics, as ``AzureDeviceAuthenticator`` allows them.
public struct DeviceCertificateAuthenticator: MQTTAuthenticator {
    public static let tenant = "default"
    static let credentialAttribute = "doppel.credential"
    let store: TwinStore
    let otherwise: (any MQTTAuthenticator)?

    public init(store: TwinStore, otherwise: (any MQTTAuthenticator)? = nil) {
        self.store = store
        self.otherwise = otherwise
    }


    /// Clients with a certificate, except native device logins (a `{tenant}/{device}` user with a password),
    /// which ``DeviceAuthenticator`` judges. AWS SDKs send a metrics user name (which may hold a `/`) and
    /// no password.
    public func handles(_ credentials: MQTTCredentials) -> Bool {
        guard credentials.certificateDER != nil else { return false }
        return credentials.password == nil || credentials.username.flatMap(DeviceAddress.init(username:)) == nil
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        guard let certificate = credentials.certificateDER else { return .refused(.notAuthorized) }
        let thing = credentials.clientID
        let device: Device?
        do {
            device = try await store.device(thing, in: Self.tenant)
        } catch is TwinModelError {
            device = nil  // a client id that cannot be a device id
        } catch {
            return .refused(.serverUnavailable)
        }
        guard let device else {
            guard let otherwise else { return .refused(.notAuthorized) }
            return await otherwise.authenticate(credentials)
        }
        guard device.status == .enabled else { return .refused(.notAuthorized) }
        do {
            guard try await store.verifyDeviceCertificate(certificate, of: thing, in: Self.tenant) else {
                return .refused(.badUserNameOrPassword)
            }
        } catch {
            return .refused(.serverUnavailable)
        }
        var attributes = [
            DeviceAuthenticator.tenantAttribute: Self.tenant, DeviceAuthenticator.deviceAttribute: thing, Self.credentialAttribute: "x509",
        ]
        // An IoT Hub SDK's X.509 login: its user name is `{host}/{deviceId}/?api-version=…`, and it speaks IoT Hub's topics.
        if let username = credentials.username, AzureUsername(username, clientID: thing) != nil {
            attributes[AzureDeviceAuthenticator.dialectAttribute] = AzureDeviceAuthenticator.dialect
        }
        return .accepted(MQTTIdentity(name: thing, attributes: attributes))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        guard let prefixes = Self.prefixes(of: identity) else { return otherwise?.mayPublish(identity, to: topic) ?? false }
        return prefixes.contains { topic.hasPrefix($0) } || AzureDeviceAuthenticator.mayPublish(identity, to: topic)
    }

    /// Filters must stay under one of the device's prefixes: wildcards only after it.
    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        guard let prefixes = Self.prefixes(of: identity) else { return otherwise?.maySubscribe(identity, to: filter) ?? false }
        return prefixes.contains { filter.hasPrefix($0) } || AzureDeviceAuthenticator.maySubscribe(identity, to: filter)
    }

    /// The topic prefixes of a device this authenticator accepted; `nil` for identities `otherwise` accepted.
    static func prefixes(of identity: MQTTIdentity) -> [String]? {
        guard identity.attributes[credentialAttribute] == "x509", let device = DeviceAuthenticator.device(of: identity) else { return nil }
        return Self.prefixes(of: device)
    }

    static func prefixes(of device: DeviceAddress) -> [String] {
        [
            DeviceTopic.prefix(tenant: device.tenant, device: device.id),
            ShadowTopic.thingPrefix(device.id) + "shadow/",
            ShadowTopic.thingPrefix(device.id) + "jobs/",
        ]
    }
}
