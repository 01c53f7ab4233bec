import NIOCore

extension MQTTPacket.Subscribe {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let packetIdentifier = try body.readMQTTInteger(as: UInt16.self)
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.subscribe) }
        let properties = version == .v5 ? try MQTTProperties.decode(from: &body, context: .subscribe) : MQTTProperties()
        var subscriptions: [MQTTPacket.Subscription] = []
        while body.readableBytes > 0 {
            let filter = try body.readMQTTString()
            let options = try MQTTPacket.SubscriptionOptions.decode(try body.readMQTTInteger(as: UInt8.self), version: version)
            try MQTTTopic.validateFilter(filter)
            // MQTT-3.8.3-4.
            if options.noLocal, try MQTTSharedSubscription(parsing: filter) != nil {
                throw .noLocalOnSharedSubscription(filter)
            }
            subscriptions.append(MQTTPacket.Subscription(topicFilter: filter, options: options))
        }
        guard !subscriptions.isEmpty else { throw .emptyPayload(.subscribe) }
        return Self(packetIdentifier: packetIdentifier, subscriptions: subscriptions, properties: properties)
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.subscribe) }
        guard !subscriptions.isEmpty else { throw .emptyPayload(.subscribe) }
        var lengths = MQTTEncodedLengths()
        lengths.remaining = 2
        if version == .v5 {
            lengths.properties = try properties.encodedLength(in: .subscribe)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        for subscription in subscriptions {
            try MQTTTopic.validateFilter(subscription.topicFilter)
            lengths.remaining += try ByteBuffer.mqttStringLength(subscription.topicFilter) + 1
        }
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeInteger(packetIdentifier)
        if version == .v5 { properties.write(to: &buffer, length: lengths.properties) }
        for subscription in subscriptions {
            buffer.writeMQTTString(subscription.topicFilter)
            buffer.writeInteger(subscription.options.encoded(version: version))
        }
    }
}

extension MQTTPacket.SubscriptionOptions {
    private enum Bits {
        static let qos: UInt8 = 0b0000_0011
        static let noLocal: UInt8 = 0b0000_0100
        static let retainAsPublished: UInt8 = 0b0000_1000
        static let retainHandlingShift: UInt8 = 4
        static let reservedV5: UInt8 = 0b1100_0000
        static let reservedV311: UInt8 = 0b1111_1100
    }

    /// Decodes the options byte: reserved bits and QoS 3 are malformed (MQTT-3.8.3-5), retain handling
    /// 3 is a protocol error (§3.8.3.1).
    static func decode(_ byte: UInt8, version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Self {
        let reserved = version == .v5 ? Bits.reservedV5 : Bits.reservedV311
        guard byte & reserved == 0 else { throw .invalidSubscriptionOptions(byte) }
        guard let qos = MQTTQoS(rawValue: byte & Bits.qos) else { throw .invalidQoS(byte & Bits.qos) }
        let rawRetainHandling = (byte >> Bits.retainHandlingShift) & 0b11
        guard let retainHandling = MQTTPacket.RetainHandling(rawValue: rawRetainHandling) else {
            throw .invalidRetainHandling(rawRetainHandling)
        }
        return Self(
            qos: qos,
            noLocal: byte & Bits.noLocal != 0,
            retainAsPublished: byte & Bits.retainAsPublished != 0,
            retainHandling: retainHandling
        )
    }

    /// The options byte; 3.1.1 carries the QoS alone.
    func encoded(version: MQTTProtocolVersion) -> UInt8 {
        guard version == .v5 else { return qos.rawValue }
        var byte = qos.rawValue | (retainHandling.rawValue << Bits.retainHandlingShift)
        if noLocal { byte |= Bits.noLocal }
        if retainAsPublished { byte |= Bits.retainAsPublished }
        return byte
    }
}
