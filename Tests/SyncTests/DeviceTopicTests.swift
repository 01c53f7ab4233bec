import Broker
import Foundation
import GRDB
import Logging
import TwinModel
import Testing
@testable import Sync

@Suite("Native dialect topics and the device ACL")
struct DeviceTopicTests {
    @Test(arguments: [
        ("tenant/acme/device/pump-1/twin/reported", "acme", "pump-1", "twin/reported", nil),
        ("tenant/acme/device/pump-1/twin/reported?rid=42", "acme", "pump-1", "twin/reported", "42"),
        ("tenant/acme/device/pump-1/twin/get?x=1&rid=abc", "acme", "pump-1", "twin/get", "abc"),
        ("tenant/acme/device/pump-1/telemetry", "acme", "pump-1", "telemetry", nil),
    ] as [(String, String, String, String, String?)])
    func parses(topic: String, tenant: String, device: String, path: String, requestID: String?) throws {
        let parsed = try #require(DeviceTopic(topic))
        #expect(parsed == DeviceTopic(tenant: tenant, device: device, path: path, requestID: requestID))
        #expect(parsed.name == topic.replacingOccurrences(of: "?x=1&", with: "?"))
    }

    @Test(arguments: ["tenant/acme/device/pump-1", "tenant//device/d/twin", "tenant/a/devices/d/twin", "devices/d/messages/events", "tenant/a/device//x"])
    func refusesTopicsOutsideTheNamespace(topic: String) {
        #expect(DeviceTopic(topic) == nil)
    }

    @Test func devicesStayUnderTheirOwnPrefix() {
        let authenticator = DeviceAuthenticator(store: try! TwinStore(writer: DatabaseQueue(), logger: Logger(label: "t")))
        let identity = MQTTIdentity(name: "d1", attributes: [DeviceAuthenticator.tenantAttribute: "acme", DeviceAuthenticator.deviceAttribute: "d1"])
        #expect(authenticator.mayPublish(identity, to: "tenant/acme/device/d1/twin/reported"))
        #expect(!authenticator.mayPublish(identity, to: "tenant/acme/device/d2/twin/reported"))
        #expect(!authenticator.mayPublish(identity, to: "tenant/other/device/d1/twin/reported"))
        #expect(authenticator.maySubscribe(identity, to: "tenant/acme/device/d1/#"))
        #expect(!authenticator.maySubscribe(identity, to: "tenant/acme/device/+/twin/desired"))
        #expect(!authenticator.maySubscribe(identity, to: "#"))
        #expect(!authenticator.mayPublish(MQTTIdentity(name: "anonymous"), to: "tenant/acme/device/d1/telemetry"))
        #expect(authenticator.handles(MQTTCredentials(clientID: "d1", username: "acme/d1")))
        #expect(!authenticator.handles(MQTTCredentials(clientID: "x", username: "plain")))
    }
}
