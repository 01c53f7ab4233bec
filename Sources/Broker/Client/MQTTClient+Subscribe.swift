import NIOCore

extension MQTTClient {
    /// Subscribes to topic filters; returns SUBACK's reason codes, one per filter in order: the granted
    /// QoS, or a failure (3.1.1 reports every failure as ``MQTTReasonCode/unspecifiedError``).
    ///
    /// Retained messages that match arrive on ``messages``, possibly before this returns.
    public func subscribe(
        _ subscriptions: [MQTTPacket.Subscription],
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> [MQTTReasonCode] {
        let subscribe = MQTTPacket.Subscribe(packetIdentifier: 0, subscriptions: subscriptions, properties: properties)
        let result = channel.eventLoop.makePromise(of: [MQTTReasonCode].self)
        return try await acknowledged(.subscribe(subscribe, result), result)
    }

    /// Subscribes to `(filter, options)` pairs; see ``subscribe(_:properties:)-(([MQTTPacket.Subscription],_))``.
    public func subscribe(
        _ subscriptions: [(String, MQTTPacket.SubscriptionOptions)],
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> [MQTTReasonCode] {
        try await subscribe(subscriptions.map { MQTTPacket.Subscription(topicFilter: $0.0, options: $0.1) }, properties: properties)
    }

    /// Removes subscriptions; returns UNSUBACK's reason codes, one per filter (all
    /// ``MQTTReasonCode/success`` in 3.1.1, which has none).
    public func unsubscribe(
        _ topicFilters: [String],
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> [MQTTReasonCode] {
        let unsubscribe = MQTTPacket.Unsubscribe(packetIdentifier: 0, topicFilters: topicFilters, properties: properties)
        let result = channel.eventLoop.makePromise(of: [MQTTReasonCode].self)
        return try await acknowledged(.unsubscribe(unsubscribe, result), result)
    }

    private func acknowledged(
        _ request: MQTTClientRequest,
        _ result: EventLoopPromise<[MQTTReasonCode]>
    ) async throws -> [MQTTReasonCode] {
        // A write that never reaches the handler (the pipeline is gone) fails only its own promise.
        channel.writeAndFlush(request).whenFailure { error in result.fail(Self.mapped(error)) }
        do {
            return try await result.futureResult.get()
        } catch {
            throw Self.mapped(error)
        }
    }
}
