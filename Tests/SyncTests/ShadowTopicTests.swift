import Broker
import GRDB
import Logging
import NIOCore
import Testing
import TwinModel
@testable import Sync

@Suite("AWS IoT Device Shadow topics and the certificate device ACL")
struct ShadowTopicTests {
    @Test(arguments: [
        ("$aws/things/pump-1/shadow/get", "pump-1", nil, ShadowTopic.Operation.get),
        ("$aws/things/pump-1/shadow/update", "pump-1", nil, .update),
        ("$aws/things/pump-1/shadow/delete", "pump-1", nil, .delete),
        ("$aws/things/pump-1/shadow/name/cfg:v1_a-b/update", "pump-1", "cfg:v1_a-b", .update),
    ] as [(String, String, String?, ShadowTopic.Operation)])
    func parsesRequests(topic: String, thing: String, shadowName: String?, operation: ShadowTopic.Operation) throws {
        let parsed = try #require(ShadowTopic(topic))
        #expect(parsed == ShadowTopic(thing: thing, shadowName: shadowName, operation: operation))
        #expect(parsed.reply("accepted") == topic + "/accepted")
    }

    @Test(arguments: [
        "$aws/things/pump-1/shadow/get/accepted", "$aws/things/pump-1/shadow/update/delta", "$aws/things/pump-1/shadow/list",
        "$aws/things//shadow/get", "$aws/things/pump-1/shadow/name/bad.name/get", "$aws/things/pump-1/shadow/name//get",
        "$aws/things/pump-1/jobs/get", "aws/things/pump-1/shadow/get", "$aws/things/pump-1/shadow/name/cfg",
        "$aws/things/" + String(repeating: "t", count: 129) + "/shadow/get",
        "$aws/things/pump-1/shadow/name/" + String(repeating: "n", count: 65) + "/get",
    ])
    func ignoresEverythingElse(topic: String) {
        #expect(ShadowTopic(topic) == nil)
    }

    @Test func namedShadowsAreTwinsOfTheirOwn() {
        #expect(ShadowTopic(thing: "pump-1", operation: .get).twinID == "pump-1")
        #expect(ShadowTopic(thing: "pump-1", shadowName: "cfg", operation: .get).twinID == "pump-1.shadow.cfg")
        #expect(ShadowTopic.shadow(ofTwin: "pump-1.shadow.cfg") == ("pump-1", "cfg"))
        #expect(ShadowTopic.shadow(ofTwin: "pump-1") == ("pump-1", nil))
        #expect(ShadowTopic.shadow(ofTwin: "a.shadow.b.shadow.c") == ("a.shadow.b", "c"))
        #expect(ShadowTopic.shadow(ofTwin: "pump.shadow.bad.name") == ("pump.shadow.bad.name", nil))
    }

    @Test func certificateDevicesReachTheirOwnThingOnly() {
        let store = try! TwinStore(writer: DatabaseQueue(), logger: Logger(label: "t"))
        let authenticator = DeviceCertificateAuthenticator(store: store)
        let identity = MQTTIdentity(
            name: "t1",
            attributes: [
                DeviceAuthenticator.tenantAttribute: "default", DeviceAuthenticator.deviceAttribute: "t1",
                DeviceCertificateAuthenticator.credentialAttribute: "x509",
            ])
        #expect(authenticator.mayPublish(identity, to: "$aws/things/t1/shadow/update"))
        #expect(authenticator.maySubscribe(identity, to: "$aws/things/t1/shadow/#"))
        #expect(authenticator.maySubscribe(identity, to: "$aws/things/t1/jobs/notify"))
        #expect(authenticator.mayPublish(identity, to: "tenant/default/device/t1/twin/reported"))
        #expect(!authenticator.mayPublish(identity, to: "$aws/things/t10/shadow/update"))
        #expect(!authenticator.maySubscribe(identity, to: "$aws/things/+/shadow/#"))
        #expect(!authenticator.maySubscribe(identity, to: "#"))
        // An identity it did not accept (no `otherwise`): nothing.
        #expect(!authenticator.mayPublish(MQTTIdentity(name: "t1", attributes: ["device": "t1"]), to: "$aws/things/t1/shadow/update"))
    }

    @Test func handlesCertificatesButNotNativeLogins() {
        let authenticator = DeviceCertificateAuthenticator(store: try! TwinStore(writer: DatabaseQueue(), logger: Logger(label: "t")))
        #expect(authenticator.handles(MQTTCredentials(clientID: "t1", certificateDER: [1])))
        #expect(authenticator.handles(MQTTCredentials(clientID: "t1", username: "?SDK=Python&Platform=linux/x86", certificateDER: [1])))
        #expect(!authenticator.handles(MQTTCredentials(clientID: "t1", username: "default/t1", password: .init(string: "s"), certificateDER: [1])))
        #expect(!authenticator.handles(MQTTCredentials(clientID: "t1")))
    }
}
