import NIOCore

/// The sending side of one client connection, usable from any thread: the session writes deliveries
/// through it, and the connection's own handler writes its replies.
///
/// Packets are encoded on the caller's thread and written on the channel's event loop; all writes made in
/// one event-loop tick share one flush.
final class MQTTConnection: @unchecked Sendable {
    let channel: any Channel
    let version: MQTTProtocolVersion
    /// QoS 1 and 2 messages the client accepts unacknowledged (its 5.0 Receive Maximum; 65,535 otherwise).
    let clientReceiveMaximum: Int
    /// The client's 5.0 Maximum Packet Size, if it set one.
    let clientMaximumPacketSize: Int?
    private let statistics: BrokerStatistics
    /// Touched only on the channel's event loop.
    private var flushScheduled = false

    init(channel: any Channel, version: MQTTProtocolVersion, receiveMaximum: Int, maximumPacketSize: Int?, statistics: BrokerStatistics) {
        self.channel = channel
        self.version = version
        self.clientReceiveMaximum = receiveMaximum
        self.clientMaximumPacketSize = maximumPacketSize
        self.statistics = statistics
    }

    /// Whether the outbound buffer is under its high-water mark.
    var isWritable: Bool { channel.isWritable }

    /// Encodes and writes `packet`; `false` when it is larger than the client accepts (nothing is written).
    @discardableResult
    func send(_ packet: MQTTPacket) -> Bool {
        var encoded = channel.allocator.buffer(capacity: 0)
        do {
            try encoded.writeMQTTPacket(packet, version: version, maximumPacketSize: clientMaximumPacketSize)
        } catch {
            return false
        }
        let buffer = encoded
        let isPublish = if case .publish = packet { true } else { false }
        if channel.eventLoop.inEventLoop {
            write(buffer, isPublish: isPublish)
        } else {
            channel.eventLoop.execute { self.write(buffer, isPublish: isPublish) }
        }
        return true
    }

    /// Sends a server DISCONNECT (5.0 only; 3.1.1 has none) and closes the connection.
    func disconnect(_ reason: MQTTReasonCode, reasonString: String? = nil) {
        if version == .v5 {
            var properties = MQTTProperties()
            properties.reasonString = reasonString
            send(.disconnect(MQTTPacket.Disconnect(reasonCode: reason, properties: properties)))
        }
        let channel = channel
        channel.eventLoop.execute {
            channel.flush()
            channel.close(promise: nil)
        }
    }

    private func write(_ buffer: ByteBuffer, isPublish: Bool) {
        statistics.sent(bytes: buffer.readableBytes, isPublish: isPublish)
        channel.write(buffer, promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.channel.flush()
        }
    }
}
