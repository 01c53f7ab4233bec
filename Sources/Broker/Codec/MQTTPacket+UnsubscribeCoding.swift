import NIOCore

extension MQTTPacket.Unsubscribe {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let packetIdentifier = try body.readMQTTInteger(as: UInt16.self)
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.unsubscribe) }
        let properties =
            version == .v5 ? try MQTTProperties.decode(from: &body, context: .unsubscribe) : MQTTProperties()
        var topicFilters: [String] = []
        while body.readableBytes > 0 {
            let filter = try body.readMQTTString()
            try MQTTTopic.validateFilter(filter)
            topicFilters.append(filter)
        }
        guard !topicFilters.isEmpty else { throw .emptyPayload(.unsubscribe) }
        return Self(packetIdentifier: packetIdentifier, topicFilters: topicFilters, properties: properties)
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.unsubscribe) }
        guard !topicFilters.isEmpty else { throw .emptyPayload(.unsubscribe) }
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2
        if version == .v5 {
            lengths.properties = try properties.encodedLength(in: .unsubscribe)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        for filter in topicFilters {
            try MQTTTopic.validateFilter(filter)
            lengths.remaining += try ByteBuffer.mqttStringLength(filter)
        }
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(packetIdentifier)
        if version == .v5 { properties.write(to: &buffer, length: lengths.properties) }
        for filter in topicFilters { buffer.writeMQTTString(filter) }
    }
}
