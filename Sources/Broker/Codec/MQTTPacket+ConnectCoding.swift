import NIOCore

extension MQTTPacket.Connect {
    static let protocolName = "MQTT"
    /// MQTT 3.1's protocol name, refused with "unsupported protocol version".
    static let v31ProtocolName = "MQIsdp"

    private enum Flag {
        static let reserved: UInt8 = 0b0000_0001
        static let cleanStart: UInt8 = 0b0000_0010
        static let will: UInt8 = 0b0000_0100
        static let willQoSShift: UInt8 = 3
        static let willRetain: UInt8 = 0b0010_0000
        static let password: UInt8 = 0b0100_0000
        static let username: UInt8 = 0b1000_0000
    }

    /// Reads the protocol name and level first and stops there if they are not supported, so that a
    /// client of another version is answered with "unsupported protocol version" rather than whatever
    /// its differently laid-out fields would provoke.
    static func decode(from body: inout ByteBuffer) throws(MQTTProtocolError) -> Self {
        let name = try body.readMQTTString()
        let level = try body.readMQTTInteger(as: UInt8.self)
        if name == v31ProtocolName { throw .unsupportedProtocolVersion(level: level) }
        guard name == protocolName else { throw .invalidProtocolName(name) }
        guard let version = MQTTProtocolVersion(rawValue: level) else {
            throw .unsupportedProtocolVersion(level: level)
        }

        let flags = try body.readMQTTInteger(as: UInt8.self)
        let hasWill = flags & Flag.will != 0
        let rawWillQoS = (flags >> Flag.willQoSShift) & 0b11
        let willRetain = flags & Flag.willRetain != 0
        let hasPassword = flags & Flag.password != 0
        let hasUsername = flags & Flag.username != 0
        guard flags & Flag.reserved == 0 else { throw .invalidConnectFlags(flags) }
        guard hasWill || (rawWillQoS == 0 && !willRetain) else { throw .invalidConnectFlags(flags) }
        guard let willQoS = MQTTQoS(rawValue: rawWillQoS) else { throw .invalidQoS(rawWillQoS) }
        // MQTT-3.1.2-22; 5.0 allows a password alone.
        guard version == .v5 || hasUsername || !hasPassword else { throw .invalidConnectFlags(flags) }

        let keepAlive = try body.readMQTTInteger(as: UInt16.self)
        let properties = version == .v5 ? try MQTTProperties.decode(from: &body, context: .connect) : MQTTProperties()
        let clientIdentifier = try body.readMQTTString()
        var will: Will? = nil
        if hasWill {
            let willProperties = version == .v5 ? try MQTTProperties.decode(from: &body, context: .will) : MQTTProperties()
            let topic = try body.readMQTTString()
            try MQTTTopic.validateName(topic)
            let payload = try body.readMQTTBinary()
            will = Will(topic: topic, payload: payload, qos: willQoS, retain: willRetain, properties: willProperties)
        }
        let username = hasUsername ? try body.readMQTTString() : nil
        let password = hasPassword ? try body.readMQTTBinary() : nil
        return Self(
            protocolVersion: version,
            clientIdentifier: clientIdentifier,
            cleanStart: flags & Flag.cleanStart != 0,
            keepAlive: keepAlive,
            username: username,
            password: password,
            will: will,
            properties: properties
        )
    }

    /// CONNECT is laid out by its own protocol version, whatever the encoder's.
    func encodedLengths() throws(MQTTProtocolError) -> MQTTEncodedLengths {
        let isV5 = protocolVersion == .v5
        var lengths = MQTTEncodedLengths()
        // Protocol name, level, flags, keep-alive.
        lengths.remaining = 2 + Self.protocolName.utf8.count + 1 + 1 + 2
        if isV5 {
            lengths.properties = try properties.encodedLength(in: .connect)
            lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.properties)
        }
        lengths.remaining += try ByteBuffer.mqttStringLength(clientIdentifier)
        if let will {
            try MQTTTopic.validateName(will.topic)
            if isV5 {
                lengths.willProperties = try will.properties.encodedLength(in: .will)
                lengths.remaining += MQTTEncodedLengths.withPrefix(lengths.willProperties)
            }
            lengths.remaining += try ByteBuffer.mqttStringLength(will.topic)
            lengths.remaining += try ByteBuffer.mqttBinaryLength(will.payload)
        }
        if let username { lengths.remaining += try ByteBuffer.mqttStringLength(username) }
        if let password {
            guard isV5 || username != nil else { throw .invalidConnectFlags(flags) }
            lengths.remaining += try ByteBuffer.mqttBinaryLength(password)
        }
        return lengths
    }

    var flags: UInt8 {
        var flags: UInt8 = 0
        if cleanStart { flags |= Flag.cleanStart }
        if let will {
            flags |= Flag.will | (will.qos.rawValue << Flag.willQoSShift)
            if will.retain { flags |= Flag.willRetain }
        }
        if password != nil { flags |= Flag.password }
        if username != nil { flags |= Flag.username }
        return flags
    }

    func write(to buffer: inout ByteBuffer, lengths: MQTTEncodedLengths) {
        let isV5 = protocolVersion == .v5
        buffer.writeMQTTString(Self.protocolName)
        buffer.writeInteger(protocolVersion.rawValue)
        buffer.writeInteger(flags)
        buffer.writeInteger(keepAlive)
        if isV5 { properties.write(to: &buffer, length: lengths.properties) }
        buffer.writeMQTTString(clientIdentifier)
        if let will {
            if isV5 { will.properties.write(to: &buffer, length: lengths.willProperties) }
            buffer.writeMQTTString(will.topic)
            buffer.writeMQTTBinary(will.payload)
        }
        if let username { buffer.writeMQTTString(username) }
        if let password { buffer.writeMQTTBinary(password) }
    }
}
