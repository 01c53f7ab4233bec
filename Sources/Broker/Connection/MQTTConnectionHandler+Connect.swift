import Logging
import NIOCore

extension MQTTConnectionHandler {
    /// Checks a CONNECT, asks the authenticator, and accepts or refuses the client with a CONNACK.
    func handleConnect(_ connect: MQTTPacket.Connect, context: ChannelHandlerContext) {
        connectTimeoutTask?.cancel()
        clientID = connect.clientIdentifier
        if connect.clientIdentifier.isEmpty {
            guard connect.protocolVersion == .v5 || connect.cleanStart else {
                return refuse(connect, .clientIdentifierNotValid, context: context)  // MQTT-3.1.3-8
            }
        }
        if connect.properties.authenticationMethod != nil {
            return refuse(connect, .badAuthenticationMethod, context: context)
        }
        if let will = connect.will {
            do {
                try MQTTTopic.validateName(will.topic, maximumLevels: core.configuration.maximumTopicLevels)
                try will.validatePayloadFormat()
            } catch {
                return refuse(connect, error.reasonCode, context: context)
            }
        }
        guard core.connectionRate.admit() else {
            return refuse(connect, connect.protocolVersion == .v5 ? .connectionRateExceeded : .serverUnavailable, context: context)
        }
        if core.connectionCount >= core.configuration.maximumConnections {
            return refuse(connect, connect.protocolVersion == .v5 ? .quotaExceeded : .serverUnavailable, context: context)
        }
        let credentials = MQTTCredentials(
            clientID: connect.clientIdentifier, username: connect.username, password: connect.password,
            certificateCommonName: context.pipeline.syncOperations.verifiedPeerCommonName,
            certificateDER: context.pipeline.syncOperations.verifiedPeerCertificateDER,
            remoteAddress: context.channel.remoteAddress)
        if let result = authenticator.authenticateImmediately(credentials) {
            return finishConnect(connect, result: result, buffered: [], context: context)
        }
        state = .authenticating(buffered: [])
        context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        let authenticator = authenticator
        let promise = context.eventLoop.makePromise(of: MQTTAuthenticationResult.self)
        promise.completeWithTask { await authenticator.authenticate(credentials) }
        promise.futureResult.assumeIsolated().whenSuccess { result in
            guard case .authenticating(let buffered) = self.state else { return }
            context.channel.setOption(.autoRead, value: true).whenComplete { _ in }
            self.finishConnect(connect, result: result, buffered: buffered, context: context)
        }
    }

    private func finishConnect(
        _ connect: MQTTPacket.Connect, result: MQTTAuthenticationResult, buffered: [MQTTPacket], context: ChannelHandlerContext
    ) {
        let identity: MQTTIdentity
        switch result {
        case .refused(let reason): return refuse(connect, reason, context: context)
        case .accepted(let accepted): identity = accepted
        }
        if let will = connect.will, !authenticator.mayPublish(identity, to: will.topic) {
            return refuse(connect, .notAuthorized, context: context)
        }
        let configuration = core.configuration
        var acknowledgement = MQTTProperties()
        var clientID = connect.clientIdentifier
        if clientID.isEmpty {
            clientID = "doppel-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            acknowledgement.assignedClientIdentifier = clientID
            self.clientID = clientID
        }
        let requestedExpiry: UInt32 =
            connect.protocolVersion == .v5
            ? connect.properties.sessionExpiryInterval ?? 0
            : (connect.cleanStart ? 0 : UInt32.max)
        let expiry = min(requestedExpiry, configuration.maximumSessionExpiry)
        if connect.protocolVersion == .v5, expiry != requestedExpiry { acknowledgement.sessionExpiryInterval = expiry }
        var keepAlive = connect.keepAlive
        // Only 5.0 can tell the client another keep-alive; a 3.1.1 client's own value stands.
        if connect.protocolVersion == .v5, keepAlive == 0 || keepAlive > configuration.maximumKeepAlive {
            keepAlive = configuration.maximumKeepAlive
            acknowledgement.serverKeepAlive = keepAlive
        }
        acknowledgement.receiveMaximum = configuration.receiveMaximum
        acknowledgement.maximumPacketSize = UInt32(configuration.maximumPacketSize)
        acknowledgement.topicAliasMaximum = configuration.topicAliasMaximum
        if connect.properties.requestResponseInformation == true {
            acknowledgement.responseInformation = "doppel/response/\(clientID)"
        }

        guard
            let opening = core.openSession(
                clientID: clientID, cleanStart: connect.cleanStart, expiryInterval: expiry, owner: identity.sessionOwner)
        else {
            // Another identity's session has this client id (the same device id in two tenants, say).
            return refuse(connect, .clientIdentifierNotValid, context: context)
        }
        let connection = MQTTConnection(
            channel: context.channel, version: connect.protocolVersion,
            receiveMaximum: Int(connect.properties.receiveMaximum ?? UInt16.max),
            maximumPacketSize: connect.properties.maximumPacketSize.map(Int.init),
            topicAliasMaximum: connect.properties.topicAliasMaximum ?? 0, keepAlive: keepAlive, statistics: core.statistics)
        if let previous = core.register(connection, for: clientID) {
            previous.disconnect(.sessionTakenOver, reasonString: "another connection took over the session")
        }
        // Built when published, so its message expiry counts from then, not from CONNECT.
        var will: (@Sendable () -> MQTTMessage)?
        if let declared = connect.will {
            let packet = MQTTPacket.Publish(
                topicName: declared.topic, payload: declared.payload, qos: declared.qos, retain: declared.retain, properties: declared.properties)
            let publisher = clientID
            will = { MQTTMessage(packet, topic: packet.topicName, publisher: publisher, now: .now()) }
        }
        let client = Client(
            session: opening.session, connection: connection, identity: identity, will: will,
            willDelay: connect.will?.properties.willDelayInterval ?? 0, expiryWasZero: expiry == 0)
        state = .connected(client)
        core.statistics.connected()

        connection.send(
            .connack(MQTTPacket.ConnAck(sessionPresent: opening.sessionPresent, reasonCode: .success, properties: acknowledgement)))
        countDrops(opening.session.attach(connection, now: .now()))
        core.currentEvents?.clientConnected(identity, clientID: clientID, sessionPresent: opening.sessionPresent)
        logger.debug("client connected", metadata: ["mqtt.session_present": "\(opening.sessionPresent)"])
        for packet in buffered {
            guard case .connected(var current) = state else { return }
            handle(packet, client: &current, context: context)
            if case .connected = state { state = .connected(current) }
        }
    }

    /// CONNACK with a failure, then close (MQTT-3.2.2-7).
    private func refuse(_ connect: MQTTPacket.Connect, _ reason: MQTTReasonCode, context: ChannelHandlerContext) {
        logger.info("connection refused", metadata: ["mqtt.reason": "\(reason)"])
        var buffer = context.channel.allocator.buffer(capacity: 8)
        if (try? buffer.writeMQTTPacket(.connack(MQTTPacket.ConnAck(reasonCode: reason)), version: connect.protocolVersion)) != nil {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        close()
    }
}
