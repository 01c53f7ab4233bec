import Broker
import Foundation
import NIOCore
import TwinModel

/// Devices of the registry speaking the IoT Hub dialect: client id `{deviceId}`, user name
/// `{hostname}/{deviceId}/?api-version=…`, password a SAS token for `{hostname}/devices/{deviceId}` signed
/// with the device's primary or secondary SAS key.
///
/// Azure-dialect devices live in the tenant `default` until hub host names map to tenants. Refusals are
/// CONNACK 3.1.1 return code 4 (bad user name or password: unknown device, wrong or expired token, a token
/// for another resource) and 5 (not authorized: a disabled device, a module identity).
///
/// IoT Hub's `$iothub/…` topics name no device, so a device may only publish requests there (twin GET,
/// reported PATCH, method responses) and only subscribe to the answers; its device topics are its own
/// `devices/{id}/messages/events/…` (publish) and `devices/{id}/messages/devicebound/…` (subscribe).
public struct AzureDeviceAuthenticator: MQTTAuthenticator {
    public static let tenant = "default"
    /// Marks identities this authenticator accepted, beside the tenant and device attributes every
    /// registry device carries.
    static let dialectAttribute = "doppel.dialect"
    static let dialect = "azure"
    let store: TwinStore
    /// Seconds since 1970, for the token's expiry.
    let now: @Sendable () -> Int64

    public init(store: TwinStore, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.store = store
        self.now = now
    }


    public func handles(_ credentials: MQTTCredentials) -> Bool {
        guard let username = credentials.username else { return false }
        return AzureUsername.looksLikeAzure(username, clientID: credentials.clientID)
    }

    public func authenticate(_ credentials: MQTTCredentials) async -> MQTTAuthenticationResult {
        guard let username = credentials.username.flatMap({ AzureUsername($0, clientID: credentials.clientID) }) else {
            return .refused(.badUserNameOrPassword)
        }
        let deviceID = username.clientID
        // `{deviceId}/{moduleId}`: module identities are not in the registry.
        guard !deviceID.contains("/") else { return .refused(.notAuthorized) }
        guard let password = credentials.password, let token = SASToken(String(buffer: password)),
            token.grants(device: deviceID, host: username.host), !token.isExpired(at: now())
        else { return .refused(.badUserNameOrPassword) }
        do {
            let device: Device?
            do {
                device = try await store.device(deviceID, in: Self.tenant)
            } catch is TwinModelError {
                device = nil  // a client id that cannot be a device id
            }
            guard let device else { return .refused(.badUserNameOrPassword) }
            guard device.status == .enabled else { return .refused(.notAuthorized) }
            guard try await store.verifyDeviceSASSignature(token.signature, of: Array(token.signedString.utf8), device: deviceID, in: Self.tenant)
            else { return .refused(.badUserNameOrPassword) }
        } catch {
            return .refused(.serverUnavailable)
        }
        return .accepted(
            MQTTIdentity(
                name: deviceID,
                attributes: [
                    DeviceAuthenticator.tenantAttribute: Self.tenant, DeviceAuthenticator.deviceAttribute: deviceID,
                    Self.dialectAttribute: Self.dialect,
                ]))
    }

    public func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        Self.mayPublish(identity, to: topic)
    }

    public func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        Self.maySubscribe(identity, to: filter)
    }

    /// IoT Hub's topic rules for an identity of the Azure dialect (SAS or X.509); `false` for any other.
    static func mayPublish(_ identity: MQTTIdentity, to topic: String) -> Bool {
        guard let device = device(of: identity) else { return false }
        return requestPrefixes.contains { topic.hasPrefix($0) } || topic.hasPrefix("devices/\(device)/messages/events/")
    }

    static func maySubscribe(_ identity: MQTTIdentity, to filter: String) -> Bool {
        guard let device = device(of: identity) else { return false }
        return answerPrefixes.contains { filter.hasPrefix($0) } || filter.hasPrefix(AzureTopic.cloudToDevicePrefix(device: device))
    }

    static let requestPrefixes = ["$iothub/twin/GET/", "$iothub/twin/PATCH/properties/reported/", "$iothub/methods/res/"]
    static let answerPrefixes = ["$iothub/twin/res/", "$iothub/twin/PATCH/properties/desired/", "$iothub/methods/POST/"]

    /// The device id of an identity this authenticator accepted.
    static func device(of identity: MQTTIdentity) -> String? {
        guard identity.attributes[dialectAttribute] == dialect else { return nil }
        return identity.attributes[DeviceAuthenticator.deviceAttribute]
    }
}
