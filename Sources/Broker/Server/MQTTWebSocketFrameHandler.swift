import NIOCore
import NIOWebSocket

/// MQTT over WebSocket (MQTT 5.0 §6): binary frames in, their payload out as one byte stream for the MQTT
/// decoder, so a packet may span frames and a frame may hold several packets; every outbound buffer goes
/// out as one binary frame. Pings are answered, a close frame is echoed and ends the connection, and a
/// text frame closes it (MQTT-6.0.0-1).
final class MQTTWebSocketFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    /// Set once a close frame went out (ours or the protocol error handler's): nothing follows it.
    private var closeSent = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .continuation:
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // Echo the status code, as RFC 6455 §5.5.1 asks, then close; MQTT sees an abnormal end unless
            // the client sent DISCONNECT first.
            var data = frame.unmaskedData
            let code = data.readSlice(length: min(2, data.readableBytes)) ?? context.channel.allocator.buffer(capacity: 0)
            closeAfterSending(code, context: context)
        case .text:
            closeAfterSending(.unacceptableData, context: context)
        default:
            closeAfterSending(.protocolError, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: buffer)), promise: promise)
    }

    /// The broker closing a client (refused CONNECT, DISCONNECT, keep-alive) says so in a close frame first.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, !closeSent, context.channel.isActive {
            closeSent = true
            var code = context.channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .normalClosure)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The protocol error handler ahead of us has already sent its close frame.
        if error is NIOWebSocketError { closeSent = true }
        context.fireErrorCaught(error)
    }

    private func closeAfterSending(_ code: WebSocketErrorCode, context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        closeAfterSending(data, context: context)
    }

    private func closeAfterSending(_ data: ByteBuffer, context: ChannelHandlerContext) {
        guard !closeSent else { return context.close(promise: nil) }
        closeSent = true
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
