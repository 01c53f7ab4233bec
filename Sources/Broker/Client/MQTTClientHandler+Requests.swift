import NIOCore

extension MQTTClientHandler {
    /// A request of ``MQTTClient``, on the event loop; `promise` is the write's promise.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if case .connect(let connect, let result) = request {
            startConnecting(connect, result: result, promise: promise, context: context)
            return
        }
        guard case .connected = state else {
            // In-flight exchanges learn why the connection ended; later requests that it is closed.
            let error = MQTTClientError.connectionClosed
            promise?.fail(error)
            switch request {
            case .subscribe(_, let result), .unsubscribe(_, let result): result.fail(error)
            default: break
            }
            return
        }
        keepAlive.wrote()
        switch request {
        case .connect:
            preconditionFailure("handled above")
        case .encoded(let buffer):
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .publish(let publish):
            var buffer = context.channel.allocator.buffer(capacity: 32 + publish.payload.readableBytes)
            sendOrQueue(publish, .publish(promise), into: &buffer)
            if buffer.readableBytes > 0 { context.write(wrapOutboundOut(buffer), promise: nil) }
        case .publishBatch(let publishes):
            writeBatch(publishes, promise: promise, context: context)
        case .subscribe(var subscribe, let result):
            guard let identifier = allocateSubscription(.subscribe, .subscribe, filters: subscribe.subscriptions.count, result, promise) else { return }
            subscribe.packetIdentifier = identifier
            writeAcknowledged(.subscribe(subscribe), identifier: identifier, awaiting: .suback, result, promise, context)
        case .unsubscribe(var unsubscribe, let result):
            guard let identifier = allocateSubscription(.unsubscribe, .unsubscribe, filters: unsubscribe.topicFilters.count, result, promise) else { return }
            unsubscribe.packetIdentifier = identifier
            writeAcknowledged(.unsubscribe(unsubscribe), identifier: identifier, awaiting: .unsuback, result, promise, context)
        case .disconnect(let disconnect):
            disconnecting = true
            var buffer = context.channel.allocator.buffer(capacity: 8)
            do {
                try buffer.writeMQTTPacket(.disconnect(disconnect), version: version)
                context.write(wrapOutboundOut(buffer), promise: promise)
            } catch {
                promise?.fail(MQTTClientError.invalidPacket(error))
            }
        }
    }

    private func startConnecting(
        _ connect: MQTTPacket.Connect,
        result: EventLoopPromise<MQTTPacket.ConnAck>,
        promise: EventLoopPromise<Void>?,
        context: ChannelHandlerContext
    ) {
        guard case .idle = state else {
            result.fail(closeReason ?? .connectionClosed)
            promise?.fail(closeReason ?? .connectionClosed)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try buffer.writeMQTTPacket(.connect(connect), version: connect.protocolVersion)
        } catch {
            result.fail(MQTTClientError.invalidPacket(error))
            promise?.fail(MQTTClientError.invalidPacket(error))
            return
        }
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.requestTimeout) {
            self.fail(with: MQTTClientError.timeout(.connack), context: context)
        }
        state = .connecting(result, timeout: timeout)
        keepAlive.wrote()
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    /// Publications of any QoS in one write; the promise completes when every QoS 1 and 2 one is acknowledged
    /// (or, for QoS 0 only, when written).
    private func writeBatch(
        _ publishes: [MQTTPacket.Publish],
        promise: EventLoopPromise<Void>?,
        context: ChannelHandlerContext
    ) {
        var acknowledged = 0
        var size = 0
        for publish in publishes {
            if publish.qos != .atMostOnce { acknowledged += 1 }
            size += 16 + publish.topicName.utf8.count + publish.payload.readableBytes
        }
        var buffer = context.channel.allocator.buffer(capacity: size)
        let batch = MQTTClientPublishBatch(count: acknowledged, promise: acknowledged > 0 ? promise : nil)
        var failure: MQTTClientError?
        for publish in publishes {
            if publish.qos == .atMostOnce {
                do {
                    try buffer.writeMQTTPacket(.publish(publish), version: version, maximumPacketSize: serverMaximumPacketSize)
                } catch {
                    failure = failure ?? .invalidPacket(error)
                }
            } else {
                sendOrQueue(publish, .batch(batch), into: &buffer)
            }
        }
        if let failure { batch.record(failure) }
        if acknowledged > 0 {
            context.write(wrapOutboundOut(buffer), promise: nil)
        } else if let failure {
            context.write(wrapOutboundOut(buffer), promise: nil)
            promise?.fail(failure)
        } else {
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
    }

    /// Writes SUBSCRIBE or UNSUBSCRIBE and fails `result` when the answer does not come in time.
    /// A packet identifier for a SUBSCRIBE or UNSUBSCRIBE awaiting its acknowledgement; `nil`, with both
    /// waiters failed, when every identifier is in use.
    private func allocateSubscription(
        _ kind: MQTTClientInFlight<Completion, Pending>.Kind, _ type: MQTTPacketType, filters: Int,
        _ result: EventLoopPromise<[MQTTReasonCode]>, _ promise: EventLoopPromise<Void>?
    ) -> UInt16? {
        guard let identifier = inFlight.allocate(kind, completion: .subscription(result, filters: filters)) else {
            result.fail(MQTTClientError.invalidPacket(.missingPacketIdentifier(type)))
            promise?.fail(MQTTClientError.invalidPacket(.missingPacketIdentifier(type)))
            return nil
        }
        return identifier
    }

    private func writeAcknowledged(
        _ packet: MQTTPacket,
        identifier: UInt16,
        awaiting answer: MQTTPacketType,
        _ result: EventLoopPromise<[MQTTReasonCode]>,
        _ promise: EventLoopPromise<Void>?,
        _ context: ChannelHandlerContext
    ) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try buffer.writeMQTTPacket(packet, version: version, maximumPacketSize: serverMaximumPacketSize)
        } catch {
            _ = inFlight.cancel(identifier)
            result.fail(MQTTClientError.invalidPacket(error))
            promise?.fail(MQTTClientError.invalidPacket(error))
            return
        }
        let timeout = context.eventLoop.scheduleTask(in: configuration.requestTimeout) {
            result.fail(MQTTClientError.timeout(answer))
        }
        result.futureResult.whenComplete { _ in timeout.cancel() }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}
