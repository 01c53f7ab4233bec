import Logging
import NIOCore

extension MQTTClientHandler {
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            try processor.process(buffer: bytes) { packet in
                try self.received(packet, context: context)
            }
        } catch {
            fail(with: error, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushOutbound(context: context)
        deliverReceived(context: context)
        context.fireChannelReadComplete()
    }

    /// One packet from the server.
    private func received(_ packet: MQTTPacket, context: ChannelHandlerContext) throws {
        switch state {
        case .closed, .idle:
            return
        case .connecting(let promise, let timeout):
            guard case .connack(let connack) = packet else { throw MQTTProtocolError.unexpectedPacket(packet.type) }
            timeout.cancel()
            accepted(connack, promise: promise, context: context)
            return
        case .connected:
            break
        }
        switch packet {
        case .publish(var publish):
            if let alias = publish.properties.topicAlias { try resolve(alias, in: &publish) }
            receivedPublish(publish, context: context)
        case .puback(let response), .pubcomp(let response):
            acknowledged(packet.type, response, context: context)
        case .pubrec(let response):
            acknowledged(.pubrec, response, context: context)
        case .pubrel(let response):
            let known = receivedExactlyOnce.remove(response.packetIdentifier) != nil
            let reason: MQTTReasonCode = known ? .success : .packetIdentifierNotFound
            enqueueOutbound(.pubcomp(.init(packetIdentifier: response.packetIdentifier, reasonCode: reason)), context: context)
        case .suback(let suback):
            acknowledgedSubscription(.suback, suback.packetIdentifier, suback.reasonCodes)
        case .unsuback(let unsuback):
            acknowledgedSubscription(.unsuback, unsuback.packetIdentifier, unsuback.reasonCodes)
        case .pingresp:
            keepAlive.receivedPingResponse()
        case .disconnect(let disconnect):
            logger.debug("mqtt server disconnected", metadata: ["mqtt.reason_code": "\(disconnect.reasonCode)"])
            closeReason = closeReason ?? .serverDisconnected(disconnect.reasonCode)
            context.close(promise: nil)
        case .connack, .auth, .connect, .subscribe, .unsubscribe, .pingreq:
            // A second CONNACK, or extended authentication, which this client does not start.
            throw MQTTProtocolError.unexpectedPacket(packet.type)
        }
    }

    private func accepted(
        _ connack: MQTTPacket.ConnAck,
        promise: EventLoopPromise<MQTTPacket.ConnAck>,
        context: ChannelHandlerContext
    ) {
        guard !connack.reasonCode.isFailure else {
            closeReason = .connectionRefused(connack.reasonCode)
            state = .closed
            promise.fail(MQTTClientError.connectionRefused(connack.reasonCode))
            context.close(promise: nil)
            return
        }
        state = .connected
        let receiveMaximum = Int(connack.properties.receiveMaximum ?? UInt16.max)
        inFlight = MQTTClientInFlight(quota: max(1, min(receiveMaximum, configuration.maximumInFlight)))
        serverMaximumPacketSize = connack.properties.maximumPacketSize.map { Int($0) }
        startKeepAlive(seconds: connack.properties.serverKeepAlive ?? configuration.keepAlive, context: context)
        promise.succeed(connack)
    }

    /// Sets or applies a topic alias of the server's (§3.3.2.3.4), within the Topic Alias Maximum the
    /// client announced.
    private func resolve(_ alias: UInt16, in publish: inout MQTTPacket.Publish) throws {
        guard alias <= configuration.properties.topicAliasMaximum ?? 0 else {
            throw MQTTProtocolError.invalidPropertyValue(.topicAlias, value: Int(alias))
        }
        if publish.topicName.isEmpty {
            guard let topic = topicAliases[alias] else {
                throw MQTTProtocolError.invalidPropertyValue(.topicAlias, value: Int(alias))
            }
            publish.topicName = topic
        } else {
            topicAliases[alias] = publish.topicName
        }
        publish.properties.topicAlias = nil
    }

    /// An application message: acknowledged at once (QoS 1: PUBACK; QoS 2: PUBREC, delivered only the
    /// first time its identifier is seen until PUBREL) and handed to the messages sequence.
    private func receivedPublish(_ publish: MQTTPacket.Publish, context: ChannelHandlerContext) {
        switch publish.qos {
        case .atMostOnce:
            break
        case .atLeastOnce:
            enqueueOutbound(.puback(.init(packetIdentifier: publish.packetIdentifier ?? 0)), context: context)
        case .exactlyOnce:
            let identifier = publish.packetIdentifier ?? 0
            enqueueOutbound(.pubrec(.init(packetIdentifier: identifier)), context: context)
            guard receivedExactlyOnce.insert(identifier).inserted else { return }
        }
        if let messageHandler = configuration.messageHandler {
            messageHandler(publish)
        } else {
            received.append(publish)
        }
    }

    private func acknowledged(_ type: MQTTPacketType, _ response: MQTTPacket.PublishResponse, context: ChannelHandlerContext) {
        let failed = response.reasonCode.isFailure
        switch inFlight.acknowledge(type, identifier: response.packetIdentifier, failed: failed) {
        case .completed(let completion, let freedSlot):
            complete(completion, with: failed ? .failure(.publishFailed(response.reasonCode)) : .success([]))
            if freedSlot { releasePending(context: context) }
        case .release:
            enqueueOutbound(.pubrel(.init(packetIdentifier: response.packetIdentifier)), context: context)
        case .unknown:
            if type == .pubrec {
                let reply = MQTTPacket.PubRel(packetIdentifier: response.packetIdentifier, reasonCode: .packetIdentifierNotFound)
                enqueueOutbound(.pubrel(reply), context: context)
            }
            logger.debug("mqtt client ignored an acknowledgement it did not wait for", metadata: [
                "mqtt.packet_type": "\(type)", "mqtt.packet_id": "\(response.packetIdentifier)",
            ])
        }
    }

    private func acknowledgedSubscription(_ type: MQTTPacketType, _ identifier: UInt16, _ codes: [MQTTReasonCode]) {
        guard case .completed(let completion, _) = inFlight.acknowledge(type, identifier: identifier) else {
            logger.debug("mqtt client ignored an acknowledgement it did not wait for", metadata: [
                "mqtt.packet_type": "\(type)", "mqtt.packet_id": "\(identifier)",
            ])
            return
        }
        var codes = codes
        // 3.1.1's UNSUBACK carries no codes: every filter was removed.
        if codes.isEmpty, case .subscription(_, let filters) = completion {
            codes = Array(repeating: .success, count: filters)
        }
        complete(completion, with: .success(codes))
    }
}

// MARK: Messages and flow control

extension MQTTClientHandler {
    func read(context: ChannelHandlerContext) {
        switch reading {
        case .reading: context.read()
        case .paused: reading = .pausedWithPendingRead
        case .pausedWithPendingRead: break
        }
    }

    /// Hands the PUBLISHes of this read to the consumer; pauses reading when its buffer is full.
    func deliverReceived(context: ChannelHandlerContext) {
        guard !received.isEmpty else { return }
        defer { received.removeAll(keepingCapacity: true) }
        guard let source else { return }
        switch source.yield(contentsOf: received) {
        case .stopProducing:
            if reading == .reading { reading = .paused }
        case .produceMore, .dropped:
            break
        }
    }

    /// The consumer drained its buffer below the low watermark.
    func resumeReading() {
        switch reading {
        case .reading:
            break
        case .paused:
            reading = .reading
        case .pausedWithPendingRead:
            reading = .reading
            context?.read()
        }
    }

    /// The consumer is gone: keep reading (acknowledgements still arrive) and drop messages from now on.
    func consumerTerminated() {
        source = nil
        resumeReading()
    }
}
