import Logging
import NIOCore

/// The channel handler of one ``MQTTClient`` connection: decodes what the server sends, keeps the
/// exchanges in flight and the keep-alive, and writes what the client asks for.
///
/// It is the only handler in the pipeline (a TLS handler would go before it): it runs the
/// ``MQTTDecoder`` itself through `NIOSingleStepByteToMessageProcessor`, so a received packet costs no
/// extra pipeline hop, and it answers acknowledgements and PINGREQs without leaving the event loop.
/// Received PUBLISHes are handed to ``MQTTClient/messages`` once per read, in batches.
final class MQTTClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = MQTTClientRequest
    typealias OutboundOut = ByteBuffer

    /// How an exchange in flight reports its end.
    enum Completion {
        /// One publication, or an encoded write (`nil`: nobody waits).
        case publish(EventLoopPromise<Void>?)
        /// One publication of a batch.
        case batch(MQTTClientPublishBatch)
        /// SUBSCRIBE or UNSUBSCRIBE of `filters` topic filters.
        case subscription(EventLoopPromise<[MQTTReasonCode]>, filters: Int)
    }

    typealias Pending = (publish: MQTTPacket.Publish, completion: Completion)

    enum State {
        case idle
        case connecting(EventLoopPromise<MQTTPacket.ConnAck>, timeout: Scheduled<Void>)
        case connected
        case closed
    }

    let configuration: MQTTClientConfiguration
    let version: MQTTProtocolVersion
    let logger: Logger
    var state = State.idle
    var context: ChannelHandlerContext?
    let processor: NIOSingleStepByteToMessageProcessor<MQTTDecoder>
    var inFlight: MQTTClientInFlight<Completion, Pending>
    var keepAlive = MQTTClientKeepAlive()
    var keepAliveTimer: Scheduled<Void>?
    /// QoS 2 publications received and acknowledged with PUBREC, whose PUBREL has not arrived.
    var receivedExactlyOnce: Set<UInt16> = []
    /// Topic aliases the server set (5.0), when the configuration's Topic Alias Maximum allows them.
    var topicAliases: [UInt16: String] = [:]
    /// The server's Maximum Packet Size (5.0), which outgoing packets must respect.
    var serverMaximumPacketSize: Int?
    /// Why the connection is ending, when the handler knows better than "closed".
    var closeReason: MQTTClientError?
    /// The client sent DISCONNECT: the close that follows is normal.
    var disconnecting = false
    /// Everything waiting was failed and the messages finished.
    var ended = false
    /// Packets produced while handling a read (acknowledgements, publications released by a freed
    /// slot), written and flushed together when the read completes.
    var outbound: ByteBuffer?

    /// Where received PUBLISHes go; `nil` once the consumer has gone (they are then dropped, still acknowledged).
    var source: MQTTClient.Messages.Source?
    /// PUBLISHes of the current read, not yet handed over.
    var received: [MQTTPacket.Publish] = []
    var reading = ReadState.reading

    init(configuration: MQTTClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.version = configuration.protocolVersion
        self.logger = logger
        self.processor = NIOSingleStepByteToMessageProcessor(
            MQTTDecoder(
                role: .client,
                protocolVersion: configuration.protocolVersion,
                maximumPacketSize: configuration.maximumPacketSize
            )
        )
        self.inFlight = MQTTClientInFlight(quota: max(1, configuration.maximumInFlight))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connectionEnded()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionEnded()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(with: error, context: context)
    }

    /// Closes the connection because of `error`, remembering it as the reason when it says more than "closed".
    func fail(with error: any Error, context: ChannelHandlerContext) {
        if closeReason == nil {
            switch error {
            case let error as MQTTProtocolError: closeReason = .protocolViolation(error)
            case let error as MQTTClientError: closeReason = error
            default: break
            }
        }
        logger.debug("mqtt client connection failed", metadata: ["mqtt.error": "\(error)"])
        context.close(promise: nil)
    }

    /// Fails everything still waiting, once, when the connection is gone.
    private func connectionEnded() {
        guard !ended else { return }
        ended = true
        let error = closeReason ?? .connectionClosed
        switch state {
        case .closed:
            break
        case .connecting(let promise, let timeout):
            timeout.cancel()
            promise.fail(error)
        case .idle, .connected:
            break
        }
        state = .closed
        keepAliveTimer?.cancel()
        keepAliveTimer = nil
        let (inFlight, pending) = inFlight.removeAll()
        for completion in inFlight { complete(completion, with: .failure(error)) }
        for publication in pending { complete(publication.completion, with: .failure(error)) }
        if let context { deliverReceived(context: context) }
        if disconnecting, closeReason == nil {
            source?.finish()
        } else {
            source?.finish(error)
        }
        source = nil
    }

    /// Ends an exchange: `result` is the server's verdict (or the connection's end).
    func complete(_ completion: Completion, with result: Result<[MQTTReasonCode], MQTTClientError>) {
        switch (completion, result) {
        case (.publish(let promise), .success): promise?.succeed()
        case (.publish(let promise), .failure(let error)): promise?.fail(error)
        case (.batch(let batch), .success): batch.completeOne(failure: nil)
        case (.batch(let batch), .failure(let error)): batch.completeOne(failure: error)
        case (.subscription(let promise, _), .success(let codes)): promise.succeed(codes)
        case (.subscription(let promise, _), .failure(let error)): promise.fail(error)
        }
    }

    // MARK: Keep-alive

    /// Starts the keep-alive timer for `seconds` (0: none).
    func startKeepAlive(seconds: UInt16, context: ChannelHandlerContext) {
        guard seconds > 0 else { return }
        let tick = TimeAmount.milliseconds(Int64(seconds) * 1000 / Int64(MQTTClientKeepAlive.ticksPerInterval))
        scheduleKeepAliveTick(after: tick, context: context)
    }

    private func scheduleKeepAliveTick(after tick: TimeAmount, context: ChannelHandlerContext) {
        keepAliveTimer = context.eventLoop.assumeIsolated().scheduleTask(in: tick) {
            guard case .connected = self.state else { return }
            switch self.keepAlive.tick() {
            case .none:
                break
            case .sendPing:
                var ping = context.channel.allocator.buffer(capacity: 2)
                _ = try? ping.writeMQTTPacket(.pingreq, version: self.version)
                context.writeAndFlush(self.wrapOutboundOut(ping), promise: nil)
            case .timedOut:
                self.fail(with: MQTTClientError.timeout(.pingresp), context: context)
                return
            }
            self.scheduleKeepAliveTick(after: tick, context: context)
        }
    }

    // MARK: Writing

    /// Appends `packet` to the packets written when the current read completes.
    func enqueueOutbound(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        if outbound == nil { outbound = context.channel.allocator.buffer(capacity: 64) }
        do {
            try outbound!.writeMQTTPacket(packet, version: version, maximumPacketSize: serverMaximumPacketSize)
        } catch {
            logger.debug("mqtt client dropped a packet it cannot encode", metadata: ["mqtt.error": "\(error)"])
        }
    }

    /// Writes and flushes what ``enqueueOutbound(_:context:)`` collected.
    func flushOutbound(context: ChannelHandlerContext) {
        guard let buffer = outbound else { return }
        outbound = nil
        keepAlive.wrote()
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Sends a QoS 1 or 2 publication now, or queues it when the quota is spent (or others wait).
    func sendOrQueue(_ publish: MQTTPacket.Publish, _ completion: Completion, into buffer: inout ByteBuffer) {
        guard inFlight.canPublish else {
            inFlight.enqueue((publish, completion))
            return
        }
        send(publish, completion, into: &buffer)
    }

    /// Takes a packet identifier and a slot for `publish` and encodes it into `buffer`.
    func send(_ publish: MQTTPacket.Publish, _ completion: Completion, into buffer: inout ByteBuffer) {
        guard let identifier = inFlight.allocate(.publish(publish.qos), completion: completion) else {
            complete(completion, with: .failure(.invalidPacket(.missingPacketIdentifier(.publish))))
            return
        }
        var publish = publish
        publish.packetIdentifier = identifier
        do {
            try buffer.writeMQTTPacket(.publish(publish), version: version, maximumPacketSize: serverMaximumPacketSize)
        } catch {
            _ = inFlight.cancel(identifier)
            complete(completion, with: .failure(.invalidPacket(error)))
        }
    }

    /// Sends waiting publications while slots are free, into the packets of the current read.
    func releasePending(context: ChannelHandlerContext) {
        while let (publish, completion) = inFlight.dequeue() {
            if outbound == nil { outbound = context.channel.allocator.buffer(capacity: 256) }
            send(publish, completion, into: &outbound!)
        }
    }
}

extension MQTTClientHandler {
    /// Whether reads reach the socket, as the consumer of ``MQTTClient/messages`` keeps up or not.
    enum ReadState {
        case reading
        /// The message buffer is full; no read was asked for since.
        case paused
        /// The message buffer is full and the channel asked for a read, to be issued on resumption.
        case pausedWithPendingRead
    }
}
