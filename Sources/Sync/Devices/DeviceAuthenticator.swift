import Broker
import NIOCore
import TwinModel

/// Devices of the registry on the native dialect: user name `{tenant}/{deviceId}`, password the device's
/// secret, client id the device id. A device may publish and subscribe only under its own topics.
public struct DeviceAuthenticator: MQTTAuthenticator {
    static let tenantAttribute = "doppel.tenant"
    static let deviceAttribute = "doppel.device"
    let store: TwinStore

    public init(store: TwinStore) {
        self.store = store
    }

    /// Clients naming a `tenant/device` user are devices; others are left to the next authenticator.
    public func handles(_ credentials: MQTTCredentials) -> Bool {
        credentials.username?.contains("/") ?? false
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        guard let address = credentials.username.flatMap(DeviceAddress.init(username:)) else {
            return .refused(.badUserNameOrPassword)
        }
        let (tenant, deviceID) = (address.tenant, address.id)
        guard credentials.clientID == deviceID else { return .refused(.clientIdentifierNotValid) }
        guard let password = credentials.password else { return .refused(.badUserNameOrPassword) }
        do {
            guard let device = try await store.device(deviceID, in: tenant) else { return .refused(.badUserNameOrPassword) }
            // Disabled devices are refused as such (0x87), not as a wrong password.
            guard device.status == .enabled else { return .refused(.notAuthorized) }
            guard try await store.verifyDeviceSecret(Array(password.readableBytesView), of: deviceID, in: tenant) else {
                return .refused(.badUserNameOrPassword)
            }
        } catch {
            return .refused(.serverUnavailable)
        }
        return .accepted(
            MQTTIdentity(name: deviceID, attributes: [Self.tenantAttribute: tenant, Self.deviceAttribute: deviceID]))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        guard let prefix = Self.prefix(of: identity) else { return false }
        return topic.hasPrefix(prefix)
    }

    /// Filters must stay under the device's prefix: wildcards only after it.
    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        guard let prefix = Self.prefix(of: identity) else { return false }
        return filter.hasPrefix(prefix)
    }

    static func prefix(of identity: MQTTIdentity) -> String? {
        guard let tenant = identity.attributes[tenantAttribute], let device = identity.attributes[deviceAttribute] else { return nil }
        return DeviceTopic.prefix(tenant: tenant, device: device)
    }

    /// The tenant and device of an identity this authenticator accepted.
    static func device(of identity: MQTTIdentity) -> DeviceAddress? {
        guard let tenant = identity.attributes[tenantAttribute], let device = identity.attributes[deviceAttribute] else { return nil }
        return DeviceAddress(tenant: tenant, id: device)
    }
}
