import Logging
import NIOCore
import NIOPosix

/// An MQTT 3.1.1 / 5.0 client over one TCP connection, in Swift concurrency.
///
/// ```swift
/// let client = try await MQTTClient.connect(host: "127.0.0.1", port: 1883,
///                                           configuration: .init(clientIdentifier: "sensor-1"))
/// _ = try await client.subscribe([("alerts/#", .init(qos: .atLeastOnce))])
/// try await client.publish(topic: "telemetry", payload: ByteBuffer(string: "21.5"), qos: .atLeastOnce)
/// for try await message in client.messages { … }
/// try await client.disconnect()
/// ```
///
/// Every method may be called from any task or thread. The protocol runs on the connection's event loop:
/// packet identifiers, the server's Receive Maximum (publications wait in the client for a free slot),
/// acknowledgements of received QoS 1 and 2 messages, and the keep-alive's PINGREQ. QoS 0 publications
/// are encoded on the caller's thread; ``publish(contentsOf:)`` writes many packets with one flush and
/// ``publishNoWait(topic:payload:retain:properties:)`` writes without suspending, for load generators.
///
/// Dropping the last reference closes the connection without a DISCONNECT (the server then publishes
/// the will). TLS is not offered yet; it would be a handler added before ``MQTTClientHandler`` in
/// ``connect(host:port:configuration:eventLoopGroup:logger:)``.
public final class MQTTClient: Sendable {
    let channel: any Channel
    /// The protocol level of the connection.
    public let protocolVersion: MQTTProtocolVersion
    /// The server's CONNACK: session present and, in 5.0, the server's limits and assigned identifiers.
    public let connAck: MQTTPacket.ConnAck
    /// Received PUBLISHes; see ``Messages``.
    public let messages: Messages
    /// The highest QoS the server accepts in publications (5.0 Maximum QoS; 2 when it does not say).
    public let maximumQoS: MQTTQoS
    /// The server's Maximum Packet Size (5.0), or `nil` for none.
    let serverMaximumPacketSize: Int?
    let logger: Logger

    /// The client identifier the server assigned (5.0) when the configuration left it empty.
    public var assignedClientIdentifier: String? { connAck.properties.assignedClientIdentifier }

    /// Whether the connection is still open.
    public var isConnected: Bool { channel.isActive }

    private init(channel: any Channel, version: MQTTProtocolVersion, connAck: MQTTPacket.ConnAck, messages: Messages, logger: Logger) {
        self.channel = channel
        self.protocolVersion = version
        self.connAck = connAck
        self.messages = messages
        self.maximumQoS = connAck.properties.maximumQoS ?? .exactlyOnce
        self.serverMaximumPacketSize = connAck.properties.maximumPacketSize.map { Int($0) }
        self.logger = logger
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Opens a TCP connection to `host`:`port`, sends CONNECT and waits for the CONNACK.
    ///
    /// Throws ``MQTTClientError/connectionRefused(_:)`` with the server's reason code when it refuses,
    /// ``MQTTClientError/timeout(_:)`` when the connection or the CONNACK takes longer than
    /// ``MQTTClientConfiguration/requestTimeout``, and NIO's error when the TCP connection fails.
    public static func connect(
        host: String = "127.0.0.1",
        port: Int = 1883,
        configuration: MQTTClientConfiguration = MQTTClientConfiguration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "doppel.mqtt.client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> MQTTClient {
        var logger = logger
        logger[metadataKey: "mqtt.client_id"] = "\(configuration.clientIdentifier)"
        let handlerLogger = logger
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(configuration.requestTimeout)
        let channel: any Channel
        let messages: Messages
        do {
            (channel, messages) = try await bootstrap.connect(host: host, port: port) { channel in
                // A TLS handler would be added here, before the MQTT handler.
                channel.eventLoop.makeCompletedFuture {
                    let handler = MQTTClientHandler(configuration: configuration, logger: handlerLogger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    let messages = Messages.make(
                        for: handler,
                        eventLoop: channel.eventLoop,
                        bufferSize: configuration.messageBufferSize
                    )
                    return (channel, messages)
                }
            }
        } catch ChannelError.connectTimeout {
            throw MQTTClientError.timeout(.connack)
        }
        let result = channel.eventLoop.makePromise(of: MQTTPacket.ConnAck.self)
        channel.writeAndFlush(MQTTClientRequest.connect(configuration.connectPacket, result), promise: nil)
        let connAck: MQTTPacket.ConnAck
        do {
            connAck = try await result.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw Self.mapped(error)
        }
        logger.debug("mqtt client connected", metadata: ["mqtt.session_present": "\(connAck.sessionPresent)"])
        return MQTTClient(
            channel: channel,
            version: configuration.protocolVersion,
            connAck: connAck,
            messages: messages,
            logger: logger
        )
    }

    /// Sends DISCONNECT with `reason` and closes the connection. A 5.0 server discards the will on
    /// ``MQTTReasonCode/normalDisconnection`` and publishes it on ``MQTTReasonCode/disconnectWithWillMessage``.
    public func disconnect(
        reason: MQTTReasonCode = .normalDisconnection,
        properties: MQTTProperties = MQTTProperties()
    ) async throws {
        let disconnect = MQTTPacket.Disconnect(reasonCode: reason, properties: properties)
        do {
            try await channel.writeAndFlush(MQTTClientRequest.disconnect(disconnect)).get()
        } catch {
            throw Self.mapped(error)
        }
        try? await channel.close().get()
    }

    /// Waits until the connection is closed, by either side.
    public func closed() async {
        try? await channel.closeFuture.get()
    }

    /// NIO's errors for a closed channel become ``MQTTClientError/connectionClosed``.
    static func mapped(_ error: any Error) -> any Error {
        switch error {
        case let error as MQTTClientError: error
        case let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed || error == .eof:
            MQTTClientError.connectionClosed
        default: error
        }
    }
}
