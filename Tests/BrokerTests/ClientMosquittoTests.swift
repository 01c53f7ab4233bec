import NIOCore
import Testing

@testable import Broker

/// ``MQTTClient`` against a real mosquitto: every exchange goes through a broker that is not ours.
@Suite(
    "MQTT client against mosquitto",
    .enabled(if: TestMosquitto.isInstalled, "mosquitto is not installed (scripts/install-deps --test installs it)"),
    .timeLimit(.minutes(1))
)
struct ClientMosquittoTests {
    @Test("connects and disconnects", arguments: MQTTProtocolVersion.allCases)
    func connects(version: MQTTProtocolVersion) async throws {
        try await TestMosquitto.with { broker in
            let client = try await broker.client(version, id: "connect-\(version)")
            #expect(client.connAck.reasonCode == .success)
            #expect(client.connAck.sessionPresent == false)
            #expect(client.isConnected)
            try await client.disconnect()
            var messages = client.messages.makeAsyncIterator()
            #expect(try await messages.next() == nil, "the messages end normally after DISCONNECT")
        }
    }

    @Test("5.0: the server assigns a client identifier when none is given")
    func assignedIdentifier() async throws {
        try await TestMosquitto.with { broker in
            let client = try await broker.client(.v5, id: "")
            #expect(client.assignedClientIdentifier?.isEmpty == false)
            try await client.disconnect()
        }
    }

    @Test(
        "publications of every QoS reach a second client",
        arguments: MQTTProtocolVersion.allCases, MQTTQoS.allCases
    )
    func roundTrip(version: MQTTProtocolVersion, qos: MQTTQoS) async throws {
        try await TestMosquitto.with { broker in
            let subscriber = try await broker.client(version, id: "sub")
            let publisher = try await broker.client(version, id: "pub")
            let codes = try await subscriber.subscribe([("round/trip/+", .init(qos: qos))])
            #expect(codes == [.granted(qos)])
            for index in 0..<3 {
                try await publisher.publish(topic: "round/trip/\(index)", payload: ByteBuffer(string: "m\(index)"), qos: qos)
            }
            var messages = subscriber.messages.makeAsyncIterator()
            for index in 0..<3 {
                let message = try #require(try await messages.next())
                #expect(message.topicName == "round/trip/\(index)")
                #expect(String(buffer: message.payload) == "m\(index)")
                #expect(message.qos == qos)
                #expect(message.retain == false)
            }
            #expect(try await subscriber.unsubscribe(["round/trip/+"]) == [.success])
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test("a batch far beyond the server's Receive Maximum waits for slots and completes", arguments: MQTTQoS.allCases)
    func batchBeyondReceiveMaximum(qos: MQTTQoS) async throws {
        try await TestMosquitto.with { broker in
            let subscriber = try await broker.client(.v5, id: "sub")
            let publisher = try await broker.client(.v5, id: "pub")
            _ = try await subscriber.subscribe([("batch", .init(qos: qos))])
            let count = 500
            let batch = (0..<count).map { index in
                MQTTPacket.Publish(topicName: "batch", payload: ByteBuffer(string: "\(index)"), qos: qos)
            }
            try await publisher.publish(contentsOf: batch)
            var messages = subscriber.messages.makeAsyncIterator()
            for index in 0..<count {
                let message = try #require(try await messages.next())
                #expect(String(buffer: message.payload) == "\(index)")
            }
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test("a retained message arrives on subscribing, flagged as retained", arguments: MQTTProtocolVersion.allCases)
    func retained(version: MQTTProtocolVersion) async throws {
        try await TestMosquitto.with { broker in
            let publisher = try await broker.client(version, id: "pub")
            try await publisher.publish(topic: "state/lamp", payload: ByteBuffer(string: "on"), qos: .atLeastOnce, retain: true)
            let subscriber = try await broker.client(version, id: "late")
            _ = try await subscriber.subscribe([("state/#", .init(qos: .atLeastOnce))])
            var messages = subscriber.messages.makeAsyncIterator()
            let message = try #require(try await messages.next())
            #expect(message.topicName == "state/lamp")
            #expect(String(buffer: message.payload) == "on")
            #expect(message.retain)
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test("the will is published when a connection drops without DISCONNECT", arguments: MQTTProtocolVersion.allCases)
    func will(version: MQTTProtocolVersion) async throws {
        try await TestMosquitto.with { broker in
            let watcher = try await broker.client(version, id: "watcher")
            _ = try await watcher.subscribe([("devices/+/status", .init(qos: .atLeastOnce))])
            let device = try await broker.client(version, id: "device-7") { configuration in
                configuration.will = .init(topic: "devices/device-7/status", payload: ByteBuffer(string: "offline"), qos: .atLeastOnce)
            }
            try await device.channel.close()
            var messages = watcher.messages.makeAsyncIterator()
            let message = try #require(try await messages.next())
            #expect(message.topicName == "devices/device-7/status")
            #expect(String(buffer: message.payload) == "offline")
            try await watcher.disconnect()
        }
    }

    @Test("no will after a normal DISCONNECT")
    func noWillAfterDisconnect() async throws {
        try await TestMosquitto.with { broker in
            let watcher = try await broker.client(.v5, id: "watcher")
            _ = try await watcher.subscribe([("devices/+/status", .init(qos: .atLeastOnce))])
            let device = try await broker.client(.v5, id: "device-8") { configuration in
                configuration.will = .init(topic: "devices/device-8/status", payload: ByteBuffer(string: "offline"))
            }
            try await device.disconnect()
            // A message published after the disconnect arrives first: no will came before it.
            let other = try await broker.client(.v5, id: "other")
            try await other.publish(topic: "devices/other/status", payload: ByteBuffer(string: "online"), qos: .atLeastOnce)
            var messages = watcher.messages.makeAsyncIterator()
            let message = try #require(try await messages.next())
            #expect(message.topicName == "devices/other/status")
            try await other.disconnect()
            try await watcher.disconnect()
        }
    }

    @Test("bad credentials are refused with the reason code", arguments: MQTTProtocolVersion.allCases)
    func badCredentials(version: MQTTProtocolVersion) async throws {
        try await TestMosquitto.with(users: ["alice": "secret"]) { broker in
            await #expect(throws: MQTTClientError.connectionRefused(.notAuthorized)) {
                _ = try await broker.client(version, id: "anonymous")
            }
            await #expect(throws: MQTTClientError.connectionRefused(.notAuthorized)) {
                _ = try await broker.client(version, id: "wrong") { configuration in
                    configuration.username = "alice"
                    configuration.password = ByteBuffer(string: "guess")
                }
            }
            let alice = try await broker.client(version, id: "alice") { configuration in
                configuration.username = "alice"
                configuration.password = ByteBuffer(string: "secret")
            }
            try await alice.disconnect()
        }
    }

    @Test("5.0: the server's DISCONNECT ends the messages with its reason code; later requests find the connection closed")
    func serverDisconnect() async throws {
        try await TestMosquitto.with { broker in
            let client = try await broker.client(.v5, id: "alias")
            // mosquitto allows topic aliases up to 10 and answers a larger one with DISCONNECT 0x94.
            var properties = MQTTProperties()
            properties.topicAlias = 100
            try client.publishNoWait(topic: "aliased", payload: ByteBuffer(), properties: properties)
            var messages = client.messages.makeAsyncIterator()
            await #expect(throws: MQTTClientError.serverDisconnected(.topicAliasInvalid)) {
                _ = try await messages.next()
            }
            await client.closed()
            await #expect(throws: MQTTClientError.connectionClosed) {
                try await client.publish(topic: "late", payload: ByteBuffer(), qos: .atLeastOnce)
            }
        }
    }

    @Test("QoS 0 fast paths: publishNoWait and batches arrive in order")
    func fastPaths() async throws {
        try await TestMosquitto.with { broker in
            let subscriber = try await broker.client(.v311, id: "sub")
            let publisher = try await broker.client(.v311, id: "pub")
            _ = try await subscriber.subscribe([("fast", .init(qos: .atMostOnce))])
            for index in 0..<10 {
                try publisher.publishNoWait(topic: "fast", payload: ByteBuffer(string: "\(index)"))
            }
            try await publisher.publish(
                contentsOf: (10..<20).map { MQTTPacket.Publish(topicName: "fast", payload: ByteBuffer(string: "\($0)")) })
            var messages = subscriber.messages.makeAsyncIterator()
            for index in 0..<20 {
                let message = try #require(try await messages.next())
                #expect(String(buffer: message.payload) == "\(index)")
            }
            #expect(throws: MQTTClientError.invalidPacket(.invalidTopicName("bad/#", .wildcardInTopicName))) {
                try publisher.publishNoWait(topic: "bad/#", payload: ByteBuffer())
            }
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test("a message handler gets every PUBLISH on the event loop, acknowledged as usual", arguments: MQTTQoS.allCases)
    func messageHandler(qos: MQTTQoS) async throws {
        try await TestMosquitto.with { broker in
            let (stream, continuation) = AsyncStream.makeStream(of: String.self)
            let subscriber = try await broker.client(.v5, id: "handled") { configuration in
                configuration.messageHandler = { continuation.yield(String(buffer: $0.payload)) }
            }
            _ = try await subscriber.subscribe([("handled", .init(qos: qos))])
            let publisher = try await broker.client(.v5, id: "pub")
            try await publisher.publish(
                contentsOf: (0..<50).map { MQTTPacket.Publish(topicName: "handled", payload: ByteBuffer(string: "\($0)"), qos: qos) })
            var received = stream.makeAsyncIterator()
            for index in 0..<50 {
                #expect(await received.next() == "\(index)")
            }
            try await publisher.disconnect()
            try await subscriber.disconnect()
            var messages = subscriber.messages.makeAsyncIterator()
            #expect(try await messages.next() == nil, "nothing went to the messages sequence")
        }
    }

    @Test("keep-alive: an idle client pings, so the server keeps it past one and a half intervals")
    func keepAlive() async throws {
        try await TestMosquitto.with { broker in
            let client = try await broker.client(.v311, id: "idle") { $0.keepAlive = 1 }
            // mosquitto drops a client silent for 1.5 keep-alive intervals; the test must let time pass.
            try await Task.sleep(for: .seconds(3))
            #expect(client.isConnected)
            try await client.publish(topic: "still/here", payload: ByteBuffer(), qos: .atLeastOnce)
            try await client.disconnect()
        }
    }
}
