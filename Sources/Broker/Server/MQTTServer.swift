import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// One of the broker's listeners as a `Service`: it accepts MQTT connections over its transport (TCP, TLS,
/// WebSocket) until graceful shutdown, then tells 5.0 clients the server is shutting down (0x8B) and
/// closes every connection. Several servers, one per listener, share one ``BrokerCore``.
public final class MQTTServer: Service {
    public let core: BrokerCore
    let authenticator: any MQTTAuthenticator
    let transport: MQTTTransport
    let host: String
    let port: Int
    let group: any EventLoopGroup
    let logger: Logger
    let onBound: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - transport: how clients reach this listener; plain TCP unless told otherwise.
    ///   - port: 0 binds an ephemeral port; `onBound` reports the port bound.
    public init(
        core: BrokerCore, authenticator: any MQTTAuthenticator, transport: MQTTTransport = .tcp, host: String = "0.0.0.0",
        port: Int = 1883, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.core = core
        self.authenticator = authenticator
        self.transport = transport
        self.host = host
        self.port = port
        self.group = group
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let channel = try await bind()
        let bound = channel.localAddress?.port ?? port
        logger.info(
            "MQTT listening",
            metadata: ["mqtt.host": "\(host)", "mqtt.port": "\(bound)", "mqtt.transport": "\(transport.scheme)"])
        onBound(bound)
        core.listenerStarted(on: group.next())
        defer { core.listenerStopped() }
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        core.disconnectAll(.serverShuttingDown)
    }

    /// Binds the listener; each connection gets its transport's handlers, the decoder and its own
    /// connection handler.
    func bind() async throws -> any Channel {
        let core = core
        let authenticator = authenticator
        let transport = transport
        let logger = logger
        let configuration = core.configuration
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Each channel keeps its last receive buffer for the next read. Starting at 256 bytes instead of
            // NIO's 2 KiB keeps idle devices small; busy connections still grow theirs up to 64 KiB.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65_536))
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.outboundHighWaterMark / 2, high: configuration.outboundHighWaterMark))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The logger is shared, not given per-connection metadata: an idle connection should
                    // cost as little memory as possible. Handlers add the client's details when they log.
                    try Self.configure(
                        channel.pipeline.syncOperations, for: transport, core: core, authenticator: authenticator, logger: logger)
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}
