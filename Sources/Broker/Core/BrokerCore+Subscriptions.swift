import NIOCore

extension BrokerCore {
    /// A retained message owed to a new subscription, sent after the SUBACK.
    struct RetainedDelivery {
        let message: MQTTMessage
        let qos: MQTTQoS
        let identifier: Int?
    }

    /// Applies a SUBSCRIBE: one reason code per filter, in order, and the retained messages to send.
    ///
    /// - Parameter authorize: whether the client may subscribe to a filter.
    func subscribe(
        _ session: MQTTSession, to request: MQTTPacket.Subscribe, version: MQTTProtocolVersion, authorize: (String) -> Bool
    ) -> (reasonCodes: [MQTTReasonCode], retained: [RetainedDelivery]) {
        let now = NIODeadline.now()
        let identifier = request.properties.subscriptionIdentifiers.first
        var codes: [MQTTReasonCode] = []
        var retainedFilters: [(filter: String, qos: MQTTQoS)] = []
        withState { state in
            for subscription in request.subscriptions {
                let filter = subscription.topicFilter
                let shared: MQTTSharedSubscription?
                do {
                    try MQTTTopic.validateFilter(filter, maximumLevels: configuration.maximumTopicLevels)
                    shared = try MQTTSharedSubscription(parsing: filter)
                } catch {
                    codes.append(version == .v5 ? .topicFilterInvalid : .unspecifiedError)
                    continue
                }
                guard authorize(filter) else {
                    codes.append(version == .v5 ? .notAuthorized : .unspecifiedError)
                    continue
                }
                let existed = session.subscriptions[filter] != nil
                if !existed, session.subscriptions.count >= configuration.maximumSubscriptionsPerSession {
                    codes.append(version == .v5 ? .quotaExceeded : .unspecifiedError)
                    continue
                }
                let treeFilter = shared?.filter ?? filter
                if existed {
                    _ = state.tree.remove(for: treeFilter) { $0.belongs(to: session) && $0.filter == filter }
                }
                let record = SubscriptionRecord(
                    target: .session(session), filter: filter, options: subscription.options, identifier: identifier,
                    shareName: shared?.shareName)
                do {
                    try state.tree.insert(record, for: treeFilter)
                } catch {
                    codes.append(version == .v5 ? .topicFilterInvalid : .unspecifiedError)
                    continue
                }
                session.subscriptions[filter] = record
                codes.append(.granted(subscription.options.qos))
                // Shared subscriptions get no retained messages (MQTT 5.0 §4.8.2).
                let handling = subscription.options.retainHandling
                if shared == nil, handling == .sendOnSubscribe || (handling == .sendOnNewSubscription && !existed) {
                    retainedFilters.append((filter, subscription.options.qos))
                }
            }
        }
        var retained: [RetainedDelivery] = []
        for (filter, qos) in retainedFilters {
            for message in retainedMessages(matching: filter, now: now) {
                retained.append(RetainedDelivery(message: message, qos: min(qos, message.qos), identifier: identifier))
            }
        }
        markDirty(session: session.clientID)
        return (codes, retained)
    }

    /// Applies an UNSUBSCRIBE: Success or No subscription existed per filter.
    func unsubscribe(_ session: MQTTSession, from filters: [String]) -> [MQTTReasonCode] {
        defer { markDirty(session: session.clientID) }
        return withState { state in
            filters.map { filter in
                guard let record = session.subscriptions.removeValue(forKey: filter) else { return .noSubscriptionExisted }
                let treeFilter = record.shareName == nil ? filter : Self.sharedInnerFilter(filter)
                _ = state.tree.remove(for: treeFilter) { $0.belongs(to: session) && $0.filter == filter }
                return .success
            }
        }
    }
}
