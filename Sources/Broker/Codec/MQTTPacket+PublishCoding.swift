import NIOCore

extension MQTTPacket.Publish {
    private enum Flag {
        static let retain: UInt8 = 0b0001
        static let qosShift: UInt8 = 1
        static let dup: UInt8 = 0b1000
    }

    /// Checks the PUBLISH flags of the fixed header as soon as its first byte arrives.
    static func validate(flags: UInt8) throws(MQTTProtocolError) {
        let rawQoS = (flags >> Flag.qosShift) & 0b11
        guard rawQoS != 3 else { throw .invalidQoS(rawQoS) }
        // MQTT-3.3.1-2: DUP is never set on QoS 0.
        guard rawQoS != 0 || flags & Flag.dup == 0 else { throw .invalidFixedHeaderFlags(.publish, flags: flags) }
    }

    /// Decodes a PUBLISH; `fromClient` refuses subscription identifiers, which only servers send
    /// (MQTT-3.3.4-6).
    static func decode(
        from body: inout ByteBuffer,
        flags: UInt8,
        version: MQTTProtocolVersion,
        fromClient: Bool
    ) throws(MQTTProtocolError) -> Self {
        try validate(flags: flags)
        let qos = MQTTQoS(rawValue: (flags >> Flag.qosShift) & 0b11) ?? .atMostOnce
        let topicName = try body.readMQTTString()
        var packetIdentifier: UInt16? = nil
        if qos != .atMostOnce {
            let identifier = try body.readMQTTInteger(as: UInt16.self)
            guard identifier != 0 else { throw .zeroPacketIdentifier(.publish) }
            packetIdentifier = identifier
        }
        var properties = MQTTProperties()
        if version == .v5 {
            properties = try MQTTProperties.decode(from: &body, context: .publish)
            if fromClient, !properties.subscriptionIdentifiers.isEmpty {
                throw .propertyNotAllowed(.subscriptionIdentifier, in: .publish)
            }
        }
        // MQTT 5.0 §3.3.2.3.4: an empty topic name is only allowed when a topic alias stands for it.
        if !(topicName.isEmpty && properties.topicAlias != nil) {
            try MQTTTopic.validateName(topicName)
        }
        let payload = body.readSlice(length: body.readableBytes) ?? ByteBuffer()
        return Self(
            topicName: topicName,
            payload: payload,
            qos: qos,
            retain: flags & Flag.retain != 0,
            dup: flags & Flag.dup != 0,
            packetIdentifier: packetIdentifier,
            properties: properties
        )
    }

    var flags: UInt8 {
        var flags = qos.rawValue << Flag.qosShift
        if retain { flags |= Flag.retain }
        if dup { flags |= Flag.dup }
        return flags
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        var lengths = MQTTEncodedLengths()
        if qos == .atMostOnce {
            guard !dup else { throw .invalidFixedHeaderFlags(.publish, flags: flags) }
        } else {
            guard let packetIdentifier else { throw .missingPacketIdentifier(.publish) }
            guard packetIdentifier != 0 else { throw .zeroPacketIdentifier(.publish) }
            lengths.remaining += 2
        }
        lengths.remaining += try ByteBuffer.mqttStringLength(topicName)
        if version == .v5 {
            lengths.properties = try properties.encodedLength(in: .publish)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        if !(version == .v5 && topicName.isEmpty && properties.topicAlias != nil) {
            try MQTTTopic.validateName(topicName)
        }
        lengths.remaining += payload.readableBytes
        return lengths
    }

    func write(to buffer: inout ByteBuffer, version: MQTTProtocolVersion, lengths: MQTTEncodedLengths) {
        buffer.writeMQTTString(topicName)
        if let packetIdentifier, qos != .atMostOnce { buffer.writeInteger(packetIdentifier) }
        if version == .v5 { properties.write(to: &buffer, length: lengths.properties) }
        buffer.writeImmutableBuffer(payload)
    }
}
