import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

extension MQTTServer {
    /// HTTP/1.1 until a `GET path` upgrade with the `mqtt` subprotocol; then WebSocket frames unwrapped into
    /// the MQTT decoder and connection handler, exactly as on TCP.
    static func configureWebSocketUpgrade(
        _ pipeline: ChannelPipeline.SynchronousOperations, path: String, core: BrokerCore,
        authenticator: any MQTTAuthenticator, logger: Logger
    ) throws {
        let configuration = core.configuration
        let refusal = MQTTWebSocketRefusalHandler(path: path, timeout: .seconds(configuration.connectTimeout), logger: logger)
        let upgrader = NIOWebSocketServerUpgrader(
            // A frame may carry a whole packet of the largest size the broker accepts, plus its own header.
            maxFrameSize: min(configuration.maximumPacketSize + 14, Int(UInt32.max)),
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                guard MQTTWebSocketRequest(head, path: path) == .upgrade else { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", MQTTWebSocketRequest.subprotocol)]))
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let frames = MQTTWebSocketFrameHandler()
                    try pipeline.addHandler(frames)
                    try addMQTTHandlers(to: pipeline, core: core, authenticator: authenticator, logger: logger)
                    // The MQTT handlers arrive after the channel went active; tell them now, which starts
                    // the CONNECT timeout.
                    try pipeline.context(handler: frames).fireChannelActive()
                    logger.debug("WebSocket upgraded")
                }
            })
        try pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    let pipeline = context.pipeline.syncOperations
                    if let refusal = try? pipeline.context(handlerType: MQTTWebSocketRefusalHandler.self) {
                        pipeline.removeHandler(context: refusal, promise: nil)
                    }
                }
            ))
        try pipeline.addHandler(refusal)
    }
}
