import DequeModule
import NIOCore
import Synchronization

/// The sending side of one client connection, usable from any thread: the session writes deliveries
/// through it, and the connection's own handler writes its replies.
///
/// Packets are encoded on the caller's thread and written on the channel's event loop; all writes made in
/// one event-loop tick share one flush.
final class MQTTConnection: @unchecked Sendable {
    // Stored properties are laid out in this order: word-sized ones first, the small ones last, where they
    // fill the optionals' padding. An idle connection's size is a budget (DESIGN.md: 4 KiB).
    let channel: any Channel
    private let statistics: BrokerStatistics
    /// Writes handed to the event loop that have not run yet.
    private let writesInFlight = Atomic<Int>(0)
    /// Topic aliases the broker has set towards the client. PUBLISH packets are only ever sent under their
    /// session's lock, which orders them, so the aliases are guarded by that lock.
    private var topicAliases: [String: UInt16] = [:]
    /// QoS 1 PUBLISH packets whose PUBACK is not sent yet, in arrival order, with the reason once decided
    /// (see MQTTConnection+Acknowledgements). Inline, so an idle connection pays a few bytes for it.
    let pendingAcknowledgements = Mutex<Deque<(identifier: UInt16, reason: MQTTReasonCode?)>>([])
    /// When the client last sent anything, in uptime nanoseconds; read by the broker's keep-alive sweep.
    private let lastActivity = Atomic<UInt64>(NIODeadline.now().uptimeNanoseconds)
    /// QoS 1 and 2 messages the client accepts unacknowledged (its 5.0 Receive Maximum; 65,535 otherwise).
    let clientReceiveMaximum: Int
    /// The client's 5.0 Maximum Packet Size, if it set one.
    let clientMaximumPacketSize: Int?
    /// 1.5 times the keep-alive, after which a silent client is disconnected; `nil` for no keep-alive.
    let keepAliveLimit: TimeAmount?
    /// The highest topic alias the client accepts (its 5.0 Topic Alias Maximum; 0 for none).
    let clientTopicAliasMaximum: UInt16
    let version: MQTTProtocolVersion
    /// Touched only on the channel's event loop.
    private var flushScheduled = false

    init(
        channel: any Channel, version: MQTTProtocolVersion, receiveMaximum: Int, maximumPacketSize: Int?, topicAliasMaximum: UInt16 = 0,
        keepAlive: UInt16 = 0, statistics: BrokerStatistics
    ) {
        self.keepAliveLimit = keepAlive == 0 ? nil : .milliseconds(Int64(keepAlive) * 1_500)
        self.channel = channel
        self.version = version
        self.clientReceiveMaximum = receiveMaximum
        self.clientMaximumPacketSize = maximumPacketSize
        self.clientTopicAliasMaximum = version == .v5 ? topicAliasMaximum : 0
        self.statistics = statistics
    }

    /// Notes that the client sent something.
    func touch(_ now: NIODeadline = .now()) {
        lastActivity.store(now.uptimeNanoseconds, ordering: .relaxed)
    }

    /// Whether the client has been silent for longer than its keep-alive allows (MQTT-3.1.2-22).
    func isIdle(at now: NIODeadline) -> Bool {
        guard let keepAliveLimit else { return false }
        let last = NIODeadline.uptimeNanoseconds(lastActivity.load(ordering: .relaxed))
        return now - last >= keepAliveLimit
    }

    /// Whether the outbound buffer is under its high-water mark.
    var isWritable: Bool { channel.isWritable }

    /// Encodes and writes `packet`; `false` when it is larger than the client accepts (nothing is written).
    @discardableResult
    func send(_ packet: MQTTPacket) -> Bool {
        var packet = packet
        var newAlias: (topic: String, alias: UInt16)?
        if clientTopicAliasMaximum > 0, case .publish(var publish) = packet {
            newAlias = applyTopicAlias(to: &publish)
            packet = .publish(publish)
        }
        var encoded = channel.allocator.buffer(capacity: 0)
        do {
            try encoded.writeMQTTPacket(packet, version: version, maximumPacketSize: clientMaximumPacketSize)
        } catch {
            return false
        }
        // Only an alias the client will see is remembered.
        if let newAlias { topicAliases[newAlias.topic] = newAlias.alias }
        let buffer = encoded
        let isPublish = if case .publish = packet { true } else { false }
        // A write made on the loop may go out at once only when no write from another thread is still waiting
        // to run there: otherwise it would overtake it (breaking per-topic order, and topic aliases).
        if channel.eventLoop.inEventLoop, writesInFlight.load(ordering: .acquiring) == 0 {
            write(buffer, isPublish: isPublish)
        } else {
            writesInFlight.add(1, ordering: .releasing)
            channel.eventLoop.execute {
                self.write(buffer, isPublish: isPublish)
                self.writesInFlight.subtract(1, ordering: .releasing)
            }
        }
        return true
    }

    /// Replaces a known topic by its alias (empty topic name); sets a new alias while there are free ones.
    /// Returns the alias to remember once the packet is written.
    private func applyTopicAlias(to publish: inout MQTTPacket.Publish) -> (topic: String, alias: UInt16)? {
        if let alias = topicAliases[publish.topicName] {
            publish.properties.topicAlias = alias
            publish.topicName = ""
            return nil
        }
        guard topicAliases.count < Int(clientTopicAliasMaximum) else { return nil }
        let alias = UInt16(topicAliases.count + 1)
        publish.properties.topicAlias = alias
        return (publish.topicName, alias)
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
