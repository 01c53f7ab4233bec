import NIOCore

extension MQTTProperties {
    /// Reads a property length and the properties it covers, refusing properties `context` may not
    /// carry, repeats of the ones that may appear once, and values outside their range.
    static func decode(from buffer: inout ByteBuffer, context: Context) throws(MQTTProtocolError) -> MQTTProperties {
        let length = try buffer.readMQTTVariableByteInteger()
        guard var body = buffer.readSlice(length: length) else { throw .truncatedPacket(nil) }
        var properties = MQTTProperties()
        var seen: UInt64 = 0
        while body.readableBytes > 0 {
            let rawIdentifier = try body.readMQTTVariableByteInteger()
            guard rawIdentifier <= UInt8.max, let identifier = Identifier(rawValue: UInt8(rawIdentifier)) else {
                throw .unknownProperty(identifier: rawIdentifier)
            }
            guard identifier.isAllowed(in: context) else { throw .propertyNotAllowed(identifier, in: context) }
            if !identifier.isRepeatable(in: context) {
                guard seen & identifier.bit == 0 else { throw .duplicateProperty(identifier) }
                seen |= identifier.bit
            }
            try properties.read(identifier, from: &body)
        }
        if properties.authenticationData != nil, properties.authenticationMethod == nil {
            throw .authenticationDataWithoutMethod
        }
        return properties
    }

    private mutating func read(_ identifier: Identifier, from body: inout ByteBuffer) throws(MQTTProtocolError) {
        switch identifier {
        case .payloadFormatIndicator:
            let value = try body.readMQTTInteger(as: UInt8.self)
            guard let format = MQTTPayloadFormat(rawValue: value) else {
                throw .invalidPropertyValue(identifier, value: Int(value))
            }
            payloadFormatIndicator = format
        case .messageExpiryInterval: messageExpiryInterval = try body.readMQTTInteger()
        case .contentType: contentType = try body.readMQTTString()
        case .responseTopic: responseTopic = try body.readMQTTString()
        case .correlationData: correlationData = try body.readMQTTBinary()
        case .subscriptionIdentifier:
            let value = try body.readMQTTVariableByteInteger()
            guard value != 0 else { throw .invalidPropertyValue(identifier, value: value) }
            subscriptionIdentifiers.append(value)
        case .sessionExpiryInterval: sessionExpiryInterval = try body.readMQTTInteger()
        case .assignedClientIdentifier: assignedClientIdentifier = try body.readMQTTString()
        case .serverKeepAlive: serverKeepAlive = try body.readMQTTInteger()
        case .authenticationMethod: authenticationMethod = try body.readMQTTString()
        case .authenticationData: authenticationData = try body.readMQTTBinary()
        case .requestProblemInformation: requestProblemInformation = try Self.readBoolean(identifier, from: &body)
        case .willDelayInterval: willDelayInterval = try body.readMQTTInteger()
        case .requestResponseInformation: requestResponseInformation = try Self.readBoolean(identifier, from: &body)
        case .responseInformation: responseInformation = try body.readMQTTString()
        case .serverReference: serverReference = try body.readMQTTString()
        case .reasonString: reasonString = try body.readMQTTString()
        case .receiveMaximum: receiveMaximum = try Self.readNonZero(identifier, from: &body)
        case .topicAliasMaximum: topicAliasMaximum = try body.readMQTTInteger()
        case .topicAlias: topicAlias = try Self.readNonZero(identifier, from: &body)
        case .maximumQoS:
            let value = try body.readMQTTInteger(as: UInt8.self)
            // Only 0 or 1: a server supporting QoS 2 leaves the property out.
            guard value <= 1, let qos = MQTTQoS(rawValue: value) else {
                throw .invalidPropertyValue(identifier, value: Int(value))
            }
            maximumQoS = qos
        case .retainAvailable: retainAvailable = try Self.readBoolean(identifier, from: &body)
        case .userProperty: userProperties.append(try body.readMQTTStringPair())
        case .maximumPacketSize: maximumPacketSize = try Self.readNonZero(identifier, from: &body)
        case .wildcardSubscriptionAvailable:
            wildcardSubscriptionAvailable = try Self.readBoolean(identifier, from: &body)
        case .subscriptionIdentifierAvailable:
            subscriptionIdentifierAvailable = try Self.readBoolean(identifier, from: &body)
        case .sharedSubscriptionAvailable:
            sharedSubscriptionAvailable = try Self.readBoolean(identifier, from: &body)
        }
    }

    private static func readBoolean(
        _ identifier: Identifier,
        from body: inout ByteBuffer
    ) throws(MQTTProtocolError) -> Bool {
        let value = try body.readMQTTInteger(as: UInt8.self)
        guard value <= 1 else { throw .invalidPropertyValue(identifier, value: Int(value)) }
        return value == 1
    }

    private static func readNonZero<T: FixedWidthInteger>(
        _ identifier: Identifier,
        from body: inout ByteBuffer
    ) throws(MQTTProtocolError) -> T {
        let value = try body.readMQTTInteger(as: T.self)
        guard value != 0 else { throw .invalidPropertyValue(identifier, value: 0) }
        return value
    }
}

extension MQTTProperties {
    /// The size of the properties without their length prefix, after checking that `context` may carry
    /// them and that every value is in range, so that writing cannot fail.
    func encodedLength(in context: Context) throws(MQTTProtocolError) -> Int {
        let present = presentIdentifiers
        guard present != 0 else { return 0 }
        let disallowed = present & ~Self.allowedBits[Int(context.rawValue)]
        if disallowed != 0, let identifier = Identifier(rawValue: UInt8(disallowed.trailingZeroBitCount)) {
            throw .propertyNotAllowed(identifier, in: context)
        }
        if subscriptionIdentifiers.count > 1, context != .publish {
            throw .duplicateProperty(.subscriptionIdentifier)
        }
        if authenticationData != nil, authenticationMethod == nil { throw .authenticationDataWithoutMethod }
        try checkRanges()

        var length = 0
        // Identifier byte plus value, per present property.
        length += payloadFormatIndicator == nil ? 0 : 2
        length += messageExpiryInterval == nil ? 0 : 5
        length += try Self.stringLength(contentType)
        length += try Self.stringLength(responseTopic)
        length += try Self.binaryLength(correlationData)
        for identifier in subscriptionIdentifiers {
            length += 1 + ByteBuffer.mqttVariableByteIntegerLength(identifier)
        }
        length += sessionExpiryInterval == nil ? 0 : 5
        length += try Self.stringLength(assignedClientIdentifier)
        length += serverKeepAlive == nil ? 0 : 3
        length += try Self.stringLength(authenticationMethod)
        length += try Self.binaryLength(authenticationData)
        length += requestProblemInformation == nil ? 0 : 2
        length += willDelayInterval == nil ? 0 : 5
        length += requestResponseInformation == nil ? 0 : 2
        length += try Self.stringLength(responseInformation)
        length += try Self.stringLength(serverReference)
        length += try Self.stringLength(reasonString)
        length += receiveMaximum == nil ? 0 : 3
        length += topicAliasMaximum == nil ? 0 : 3
        length += topicAlias == nil ? 0 : 3
        length += maximumQoS == nil ? 0 : 2
        length += retainAvailable == nil ? 0 : 2
        for pair in userProperties {
            length += 1 + (try ByteBuffer.mqttStringLength(pair.name)) + (try ByteBuffer.mqttStringLength(pair.value))
        }
        length += maximumPacketSize == nil ? 0 : 5
        length += wildcardSubscriptionAvailable == nil ? 0 : 2
        length += subscriptionIdentifierAvailable == nil ? 0 : 2
        length += sharedSubscriptionAvailable == nil ? 0 : 2
        return length
    }

    /// Per context, one bit (`1 << identifier`) per property the context may carry.
    private static let allowedBits: [UInt64] = Context.allCases.map { context in
        Identifier.allCases.reduce(0) { bits, identifier in
            identifier.isAllowed(in: context) ? bits | identifier.bit : bits
        }
    }

    private func checkRanges() throws(MQTTProtocolError) {
        for identifier in subscriptionIdentifiers
        where !(1...ByteBuffer.mqttMaximumVariableByteInteger).contains(identifier) {
            throw .invalidPropertyValue(.subscriptionIdentifier, value: identifier)
        }
        if receiveMaximum == 0 { throw .invalidPropertyValue(.receiveMaximum, value: 0) }
        if topicAlias == 0 { throw .invalidPropertyValue(.topicAlias, value: 0) }
        if maximumPacketSize == 0 { throw .invalidPropertyValue(.maximumPacketSize, value: 0) }
        if maximumQoS == .exactlyOnce { throw .invalidPropertyValue(.maximumQoS, value: 2) }
    }

    private static func stringLength(_ string: String?) throws(MQTTProtocolError) -> Int {
        guard let string else { return 0 }
        return 1 + (try ByteBuffer.mqttStringLength(string))
    }

    private static func binaryLength(_ data: ByteBuffer?) throws(MQTTProtocolError) -> Int {
        guard let data else { return 0 }
        return 1 + (try ByteBuffer.mqttBinaryLength(data))
    }

    /// Writes the property length and the properties; `length` comes from ``encodedLength(in:)``.
    func write(to buffer: inout ByteBuffer, length: Int) {
        buffer.writeMQTTVariableByteInteger(length)
        guard length > 0 else { return }
        func id(_ identifier: Identifier) {
            buffer.writeInteger(identifier.rawValue)
        }
        if let payloadFormatIndicator {
            id(.payloadFormatIndicator)
            buffer.writeInteger(payloadFormatIndicator.rawValue)
        }
        if let messageExpiryInterval {
            id(.messageExpiryInterval)
            buffer.writeInteger(messageExpiryInterval)
        }
        if let contentType {
            id(.contentType)
            buffer.writeMQTTString(contentType)
        }
        if let responseTopic {
            id(.responseTopic)
            buffer.writeMQTTString(responseTopic)
        }
        if let correlationData {
            id(.correlationData)
            buffer.writeMQTTBinary(correlationData)
        }
        for identifier in subscriptionIdentifiers {
            id(.subscriptionIdentifier)
            buffer.writeMQTTVariableByteInteger(identifier)
        }
        if let sessionExpiryInterval {
            id(.sessionExpiryInterval)
            buffer.writeInteger(sessionExpiryInterval)
        }
        if let assignedClientIdentifier {
            id(.assignedClientIdentifier)
            buffer.writeMQTTString(assignedClientIdentifier)
        }
        if let serverKeepAlive {
            id(.serverKeepAlive)
            buffer.writeInteger(serverKeepAlive)
        }
        if let authenticationMethod {
            id(.authenticationMethod)
            buffer.writeMQTTString(authenticationMethod)
        }
        if let authenticationData {
            id(.authenticationData)
            buffer.writeMQTTBinary(authenticationData)
        }
        if let requestProblemInformation {
            id(.requestProblemInformation)
            buffer.writeInteger(requestProblemInformation ? 1 : 0 as UInt8)
        }
        if let willDelayInterval {
            id(.willDelayInterval)
            buffer.writeInteger(willDelayInterval)
        }
        if let requestResponseInformation {
            id(.requestResponseInformation)
            buffer.writeInteger(requestResponseInformation ? 1 : 0 as UInt8)
        }
        if let responseInformation {
            id(.responseInformation)
            buffer.writeMQTTString(responseInformation)
        }
        if let serverReference {
            id(.serverReference)
            buffer.writeMQTTString(serverReference)
        }
        if let reasonString {
            id(.reasonString)
            buffer.writeMQTTString(reasonString)
        }
        if let receiveMaximum {
            id(.receiveMaximum)
            buffer.writeInteger(receiveMaximum)
        }
        if let topicAliasMaximum {
            id(.topicAliasMaximum)
            buffer.writeInteger(topicAliasMaximum)
        }
        if let topicAlias {
            id(.topicAlias)
            buffer.writeInteger(topicAlias)
        }
        if let maximumQoS {
            id(.maximumQoS)
            buffer.writeInteger(maximumQoS.rawValue)
        }
        if let retainAvailable {
            id(.retainAvailable)
            buffer.writeInteger(retainAvailable ? 1 : 0 as UInt8)
        }
        for pair in userProperties {
            id(.userProperty)
            buffer.writeMQTTString(pair.name)
            buffer.writeMQTTString(pair.value)
        }
        if let maximumPacketSize {
            id(.maximumPacketSize)
            buffer.writeInteger(maximumPacketSize)
        }
        if let wildcardSubscriptionAvailable {
            id(.wildcardSubscriptionAvailable)
            buffer.writeInteger(wildcardSubscriptionAvailable ? 1 : 0 as UInt8)
        }
        if let subscriptionIdentifierAvailable {
            id(.subscriptionIdentifierAvailable)
            buffer.writeInteger(subscriptionIdentifierAvailable ? 1 : 0 as UInt8)
        }
        if let sharedSubscriptionAvailable {
            id(.sharedSubscriptionAvailable)
            buffer.writeInteger(sharedSubscriptionAvailable ? 1 : 0 as UInt8)
        }
    }
}
