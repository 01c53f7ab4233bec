import NIOCore

extension MQTTClient {
    /// Publishes one application message.
    ///
    /// QoS 0 returns once the packet is written to the socket; QoS 1 once the server's PUBACK arrives,
    /// QoS 2 once its PUBCOMP does. A publication beyond the server's Receive Maximum waits in the client
    /// for a free slot. Throws ``MQTTClientError/publishFailed(_:)`` when the server refuses it (5.0).
    public func publish(
        topic: String,
        payload: ByteBuffer,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) async throws {
        let publish = MQTTPacket.Publish(topicName: topic, payload: payload, qos: qos, retain: retain, properties: properties)
        let request: MQTTClientRequest
        if qos == .atMostOnce {
            request = .encoded(try encode(CollectionOfOne(publish)))
        } else {
            try check(qos)
            request = .publish(publish)
        }
        do {
            try await channel.writeAndFlush(request).get()
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Publishes several messages with one write and one flush; returns when every QoS 0 one is written
    /// and every QoS 1 and 2 one acknowledged. Throws the first failure after all have ended.
    ///
    /// The way to publish fast: a load generator that sends batches of a few hundred messages pays for
    /// one event-loop hop and one system call per batch instead of per message, and the wait for the
    /// write gives it the socket's back-pressure.
    public func publish(contentsOf publications: some Collection<MQTTPacket.Publish>) async throws {
        guard !publications.isEmpty else { return }
        let request: MQTTClientRequest
        if publications.allSatisfy({ $0.qos == .atMostOnce }) {
            request = .encoded(try encode(publications))
        } else {
            for publication in publications { try check(publication.qos) }
            request = .publishBatch(Array(publications))
        }
        do {
            try await channel.writeAndFlush(request).get()
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Writes a QoS 0 publication without waiting for anything: no suspension, no back-pressure. Throws
    /// only when the packet cannot be encoded; a closed connection drops it silently.
    public func publishNoWait(
        topic: String,
        payload: ByteBuffer,
        retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) throws {
        let publish = MQTTPacket.Publish(topicName: topic, payload: payload, retain: retain, properties: properties)
        channel.writeAndFlush(MQTTClientRequest.encoded(try encode(CollectionOfOne(publish))), promise: nil)
    }

    /// Encodes QoS 0 publications on the caller's thread, into one buffer.
    private func encode(_ publications: some Collection<MQTTPacket.Publish>) throws(MQTTClientError) -> ByteBuffer {
        var size = 0
        for publication in publications {
            size += 8 + publication.topicName.utf8.count + publication.payload.readableBytes
        }
        var buffer = channel.allocator.buffer(capacity: size)
        do {
            for publication in publications {
                try buffer.writeMQTTPacket(
                    .publish(publication),
                    version: protocolVersion,
                    maximumPacketSize: serverMaximumPacketSize
                )
            }
        } catch {
            throw .invalidPacket(error)
        }
        return buffer
    }

    private func check(_ qos: MQTTQoS) throws(MQTTClientError) {
        guard qos <= maximumQoS else { throw .qosNotSupported(requested: qos, maximum: maximumQoS) }
    }
}
