import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The HTTP side of the WebSocket listener until the upgrade: a request that is not an MQTT upgrade (another
/// path, no `mqtt` subprotocol, no upgrade at all) gets an HTTP error and the connection closes; a client
/// that sends no request within the CONNECT timeout is closed too. Removed once the upgrade starts.
final class MQTTWebSocketRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let path: String
    private let timeout: TimeAmount
    private let logger: Logger
    private var timeoutTask: Scheduled<Void>?
    private var refused = false

    init(path: String, timeout: TimeAmount, logger: Logger) {
        self.path = path
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let logger = logger
        let channel = context.channel
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            logger.debug("no WebSocket upgrade in time; closing")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !refused else { return }
        refused = true
        let (status, reason) =
            switch MQTTWebSocketRequest(head, path: path) {
            case .refuse(let status, let reason): (status, reason)
            // The upgrader turned down what looked right (a bad Sec-WebSocket-Key or version).
            case .upgrade: (HTTPResponseStatus.badRequest, "not a valid WebSocket upgrade request")
            }
        logger.info("WebSocket request refused", metadata: ["http.uri": "\(head.uri)", "http.status": "\(status.code)"])
        var body = context.channel.allocator.buffer(capacity: reason.utf8.count + 1)
        body.writeString(reason + "\n")
        var response = HTTPResponseHead(version: head.version, status: status)
        response.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        response.headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        response.headers.add(name: "Connection", value: "close")
        if status == .upgradeRequired {
            response.headers.add(name: "Upgrade", value: "websocket")
        }
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// The upgrader reports a refused upgrade as an error before it hands the request on, which is
    /// answered above; any other error ends the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("WebSocket upgrade not made", metadata: ["error": "\(error)"])
        if !(error is NIOWebSocketUpgradeError || error is HTTPServerUpgradeErrors) {
            context.close(promise: nil)
        }
    }
}
