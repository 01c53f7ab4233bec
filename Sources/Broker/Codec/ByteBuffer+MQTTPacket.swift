import NIOCore

extension ByteBuffer {
    /// Writes `packet` as `version` lays it out; returns the bytes written.
    ///
    /// Throws, writing nothing, when the packet breaks a rule the codec can check (a property the packet
    /// may not carry, a missing packet identifier, AUTH in 3.1.1, …) or when it would be larger than
    /// `maximumPacketSize` (a server then drops the message, MQTT-3.1.2-25). For 3.1.1, properties are left
    /// out and reason codes become return codes.
    @discardableResult
    public mutating func writeMQTTPacket(
        _ packet: MQTTPacket,
        version: MQTTProtocolVersion,
        maximumPacketSize: Int? = nil
    ) throws(MQTTProtocolError) -> Int {
        let lengths = try packet.encodedLengths(version: version)
        let size = 1 + ByteBuffer.mqttVariableByteIntegerLength(lengths.remaining) + lengths.remaining
        guard lengths.remaining <= ByteBuffer.mqttMaximumVariableByteInteger else {
            throw .packetTooLarge(size: size, limit: ByteBuffer.mqttMaximumVariableByteInteger)
        }
        if let maximumPacketSize, size > maximumPacketSize {
            throw .packetTooLarge(size: size, limit: maximumPacketSize)
        }
        reserveCapacity(minimumWritableBytes: size)
        writeInteger(packet.type.rawValue << 4 | packet.fixedHeaderFlags)
        writeMQTTVariableByteInteger(lengths.remaining)
        switch packet {
        case .connect(let connect): connect.write(to: &self, lengths: lengths)
        case .connack(let connack): connack.write(to: &self, version: version, lengths: lengths)
        case .publish(let publish): publish.write(to: &self, version: version, lengths: lengths)
        case .puback(let response), .pubrec(let response), .pubrel(let response), .pubcomp(let response):
            response.write(to: &self, lengths: lengths)
        case .subscribe(let subscribe): subscribe.write(to: &self, version: version, lengths: lengths)
        case .suback(let suback): suback.write(to: &self, version: version, lengths: lengths)
        case .unsubscribe(let unsubscribe): unsubscribe.write(to: &self, version: version, lengths: lengths)
        case .unsuback(let unsuback): unsuback.write(to: &self, version: version, lengths: lengths)
        case .pingreq, .pingresp: break
        case .disconnect(let disconnect):
            MQTTReasonAndProperties.write(disconnect.reasonCode, disconnect.properties, to: &self, lengths: lengths)
        case .auth(let auth):
            MQTTReasonAndProperties.write(auth.reasonCode, auth.properties, to: &self, lengths: lengths)
        }
        return size
    }
}

extension MQTTPacket {
    /// The packet's size on the wire for `version`, fixed header included, without encoding it; throws
    /// what encoding would. A server compares it with a client's Maximum Packet Size.
    public func encodedSize(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> Int {
        let remaining = try encodedLengths(version: version).remaining
        return 1 + ByteBuffer.mqttVariableByteIntegerLength(remaining) + remaining
    }

    var fixedHeaderFlags: UInt8 {
        if case .publish(let publish) = self { return publish.flags }
        return type.requiredFlags ?? 0
    }

    func encodedLengths(version: MQTTProtocolVersion) throws(MQTTProtocolError) -> MQTTEncodedLengths {
        switch self {
        case .connect(let connect): return try connect.encodedLengths()
        case .connack(let connack): return try connack.encodedLengths(version: version)
        case .publish(let publish): return try publish.encodedLengths(version: version)
        case .puback(let response), .pubrec(let response), .pubrel(let response), .pubcomp(let response):
            return try response.encodedLengths(type: type, version: version)
        case .subscribe(let subscribe): return try subscribe.encodedLengths(version: version)
        case .suback(let suback): return try suback.encodedLengths(version: version)
        case .unsubscribe(let unsubscribe): return try unsubscribe.encodedLengths(version: version)
        case .unsuback(let unsuback): return try unsuback.encodedLengths(version: version)
        case .pingreq, .pingresp: return MQTTEncodedLengths()
        case .disconnect(let disconnect):
            // 3.1.1's DISCONNECT is empty.
            guard version == .v5 else { return MQTTEncodedLengths() }
            return try MQTTReasonAndProperties.encodedLengths(
                disconnect.reasonCode,
                disconnect.properties,
                type: .disconnect,
                context: .disconnect
            )
        case .auth(let auth):
            guard version == .v5 else { throw .packetNotInVersion(.auth, version) }
            return try MQTTReasonAndProperties.encodedLengths(auth.reasonCode, auth.properties, type: .auth, context: .auth)
        }
    }
}
