import Logging
import NIOCore

extension MQTTConnectionHandler {
    /// One packet from an accepted client.
    func handle(_ packet: MQTTPacket, client: inout Client, context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        switch packet {
        case .publish(let publish):
            handlePublish(publish, client: &client)
        case .puback(let ack):
            let (known, drops) = client.session.completed(ack.packetIdentifier, qos2: false, now: now)
            countDrops(drops)
            if !known { logger.debug("PUBACK for an unknown packet identifier", metadata: ["mqtt.packet_id": "\(ack.packetIdentifier)"]) }
        case .pubrec(let rec):
            let (known, drops) = client.session.received(rec.packetIdentifier, failed: rec.reasonCode.isFailure, now: now)
            countDrops(drops)
            if !known, client.connection.version == .v5 {
                client.connection.send(.pubrel(MQTTPacket.PubRel(packetIdentifier: rec.packetIdentifier, reasonCode: .packetIdentifierNotFound)))
            }
        case .pubcomp(let comp):
            countDrops(client.session.completed(comp.packetIdentifier, qos2: true, now: now).drops)
        case .pubrel(let rel):
            let known = client.session.released(rel.packetIdentifier)
            let reason: MQTTReasonCode = known || client.connection.version == .v311 ? .success : .packetIdentifierNotFound
            client.connection.send(.pubcomp(MQTTPacket.PubComp(packetIdentifier: rel.packetIdentifier, reasonCode: reason)))
        case .subscribe(let subscribe):
            let identity = client.identity
            let (codes, retained) = core.subscribe(client.session, to: subscribe, version: client.connection.version) { filter in
                authenticator.maySubscribe(identity, to: filter)
            }
            client.connection.send(.suback(MQTTPacket.SubAck(packetIdentifier: subscribe.packetIdentifier, reasonCodes: codes)))
            for item in retained {
                let delivery = MQTTDelivery(
                    message: item.message, qos: item.qos, retain: true, subscriptionIdentifiers: item.identifier.map { [$0] } ?? [])
                if case .dropped(let reason) = client.session.deliver(delivery, now: now) { core.statistics.dropped(reason) }
            }
            let granted = zip(subscribe.subscriptions, codes).filter { !$0.1.isFailure }.map(\.0.topicFilter)
            if !granted.isEmpty {
                core.currentEvents?.clientSubscribed(client.identity, clientID: client.session.clientID, filters: granted)
            }
        case .unsubscribe(let unsubscribe):
            let codes = core.unsubscribe(client.session, from: unsubscribe.topicFilters)
            client.connection.send(.unsuback(MQTTPacket.UnsubAck(packetIdentifier: unsubscribe.packetIdentifier, reasonCodes: codes)))
        case .pingreq:
            client.connection.send(.pingresp)
        case .disconnect(let disconnect):
            handleDisconnect(disconnect, client: &client, context: context)
        case .connect:
            disconnect(client, .protocolError, "a second CONNECT")  // MQTT-3.1.0-2
        case .auth:
            disconnect(client, .protocolError, "AUTH without an authentication method")
        case .connack, .suback, .unsuback, .pingresp:
            disconnect(client, .protocolError, "a packet only servers send")
        }
    }

    private func handlePublish(_ publish: MQTTPacket.Publish, client: inout Client) {
        let version = client.connection.version
        var topic = publish.topicName
        if let alias = publish.properties.topicAlias {
            guard alias <= core.configuration.topicAliasMaximum else {
                return disconnect(client, .topicAliasInvalid, "topic alias \(alias) is above the maximum \(core.configuration.topicAliasMaximum)")
            }
            if topic.isEmpty {
                guard let known = client.aliases[alias] else {
                    return disconnect(client, .protocolError, "topic alias \(alias) was never set")
                }
                topic = known
            } else {
                client.aliases[alias] = topic
            }
        }
        do {
            try MQTTTopic.validateName(topic, maximumLevels: core.configuration.maximumTopicLevels)
            if version == .v5 { try publish.validatePayloadFormat() }
        } catch {
            return refusePublish(publish, error.reasonCode, error.description, client: client)
        }
        guard authenticator.mayPublish(client.identity, to: topic) else {
            return refusePublish(publish, .notAuthorized, "not authorized to publish to \(topic)", client: client)
        }
        core.statistics.received(payloadBytes: publish.payload.readableBytes)
        switch publish.qos {
        case .atMostOnce:
            core.publish(MQTTMessage(publish, topic: topic, publisher: client.session.clientID, now: .now()))
        case .atLeastOnce:
            let identifier = publish.packetIdentifier!
            let connection = client.connection
            connection.expectAcknowledgement(identifier)
            let (delivered, held) = core.publish(MQTTMessage(publish, topic: topic, publisher: client.session.clientID, now: .now())) { reason in
                connection.decideAcknowledgement(identifier, reason: reason)
            }
            if !held {
                connection.decideAcknowledgement(identifier, reason: delivered == 0 && version == .v5 ? .noMatchingSubscribers : .success)
            }
        case .exactlyOnce:
            let identifier = publish.packetIdentifier!
            // A PUBLISH whose identifier is still unreleased is a resend: acknowledge, don't deliver twice.
            switch client.session.receivedQoS2(identifier, limit: Int(core.configuration.receiveMaximum)) {
            case .overLimit:
                return disconnect(client, .receiveMaximumExceeded, "more than \(core.configuration.receiveMaximum) QoS 2 messages unreleased")
            case .new:
                let delivered = core.publish(MQTTMessage(publish, topic: topic, publisher: client.session.clientID, now: .now()))
                let reason: MQTTReasonCode = delivered == 0 && version == .v5 ? .noMatchingSubscribers : .success
                client.connection.send(.pubrec(MQTTPacket.PubRec(packetIdentifier: identifier, reasonCode: reason)))
            case .duplicate:
                client.connection.send(.pubrec(MQTTPacket.PubRec(packetIdentifier: identifier)))
            }
        }
    }

    /// A PUBLISH that is not delivered: 5.0 answers QoS 1 and 2 with the reason and QoS 0 with a DISCONNECT
    /// for protocol errors; 3.1.1 has no negative acknowledgement, so the message is acknowledged and dropped.
    private func refusePublish(_ publish: MQTTPacket.Publish, _ reason: MQTTReasonCode, _ why: String, client: Client) {
        logger.info("publication refused", metadata: ["mqtt.reason": "\(reason)", "mqtt.why": "\(why)"])
        let version = client.connection.version
        if reason != .notAuthorized, version == .v5, publish.qos == .atMostOnce {
            return disconnect(client, reason, why)
        }
        guard let identifier = publish.packetIdentifier else { return }
        let code: MQTTReasonCode = version == .v5 ? reason : .success
        switch publish.qos {
        case .atMostOnce: break
        case .atLeastOnce: client.connection.send(.puback(MQTTPacket.PubAck(packetIdentifier: identifier, reasonCode: code)))
        case .exactlyOnce: client.connection.send(.pubrec(MQTTPacket.PubRec(packetIdentifier: identifier, reasonCode: code)))
        }
    }

    private func handleDisconnect(_ disconnect: MQTTPacket.Disconnect, client: inout Client, context: ChannelHandlerContext) {
        if let expiry = disconnect.properties.sessionExpiryInterval {
            if client.expiryWasZero, expiry != 0 {
                return self.disconnect(client, .protocolError, "session expiry set on DISCONNECT after 0 at CONNECT")
            }
            core.withState { _ in client.session.expiryInterval = min(expiry, core.configuration.maximumSessionExpiry) }
        }
        // A normal DISCONNECT discards the will; 0x04 asks for it to be published (MQTT-3.14.4-3).
        if disconnect.reasonCode != .disconnectWithWillMessage { client.will = nil }
        state = .connected(client)
        context.close(promise: nil)
    }
}
