import Broker
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization
import TwinModel

/// Telemetry from every dialect into the store: `tenant/{t}/device/{d}/telemetry` (native) and
/// `devices/{d}/messages/events/…` (IoT Hub, tenant `default`) enter one bounded queue; one task drains it
/// in batches, parses each message, stamps it with the server's arrival time and stores the batch in one
/// transaction (log, series, rollups, last-known telemetry). Rules hear about each stored batch.
///
/// Drop policy (docs/drop-policy.md): past ``Configuration/queueCapacity`` waiting messages, new ones are
/// dropped and counted (`queue_full`); a payload that is no JSON object of metrics is dropped and counted
/// (`invalid`), as is one over 64 KiB (`too_large`) and one whose twin does not exist (`unknown_twin`).
public final class TelemetryIngest: Service {
    public struct Configuration: Sendable {
        /// Messages waiting at most; the broker never waits for ingest.
        public var queueCapacity = 100_000
        /// Messages stored per transaction at most.
        public var batchSize = 5_000
        /// QoS 1 telemetry is acknowledged only once its batch has committed (5.0 devices learn of a drop from
        /// the PUBACK's reason code; 3.1.1 devices, whose PUBACK has none, are disconnected and send again).
        public var durable = false

        public init() {}
    }

    /// What became of a message, as the `doppel_telemetry_messages_total{outcome}` counter counts it.
    public enum Outcome: String, Sendable, CaseIterable {
        case stored, invalid, unknownTwin = "unknown_twin", queueFull = "queue_full", tooLarge = "too_large", failed
    }

    struct Arrival: Sendable {
        var tenant: String
        var twin: String
        var payload: ByteBuffer
        var receivedAt: Timestamp
        /// Held with durable ingest, completed once the message's fate is known.
        var acknowledgement: MQTTAcknowledgement?
    }

    let store: TwinStore
    let logger: Logger
    let configuration: Configuration
    /// The server's time that stamps each message.
    let clock: TelemetryClock
    let queue: WorkQueue<Arrival>
    private let counters: [Outcome: Counter]
    private let depth = Gauge(label: "doppel_telemetry_queue_depth")
    private let listeners = Mutex<[@Sendable ([TelemetryMessage], [Int64?]) -> Void]>([])

    public init(
        store: TwinStore, broker: BrokerCore, configuration: Configuration = Configuration(), clock: TelemetryClock = .system, logger: Logger
    ) throws {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        queue = WorkQueue(capacity: configuration.queueCapacity)
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            counters[outcome] = Counter(label: "doppel_telemetry_messages_total", dimensions: [("outcome", outcome.rawValue)])
        }
        self.counters = counters
        _ = try broker.subscribe("tenant/+/device/+/telemetry", holdingAcknowledgements: configuration.durable) { [weak self] message, acknowledgement in
            guard let self, message.publisherClientID != nil, let topic = DeviceTopic(message.topic), topic.path == "telemetry" else {
                acknowledgement?.complete()
                return
            }
            self.accept(tenant: topic.tenant, twin: topic.device, payload: message.payload, acknowledgement: acknowledgement)
        }
        _ = try broker.subscribe("devices/+/messages/events/#", holdingAcknowledgements: configuration.durable) { [weak self] message, acknowledgement in
            guard let self, message.publisherClientID != nil, case .telemetry(let device, _)? = AzureTopic(message.topic) else {
                acknowledgement?.complete()
                return
            }
            self.accept(tenant: AzureDeviceAuthenticator.tenant, twin: device, payload: message.payload, acknowledgement: acknowledgement)
        }
    }

    /// Calls `listener` after each stored batch with its messages and their offsets (`nil`: not stored), on
    /// the ingest task: it must hand the work on quickly.
    public func onStored(_ listener: @escaping @Sendable ([TelemetryMessage], [Int64?]) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    func accept(tenant: String, twin: String, payload: ByteBuffer, acknowledgement: MQTTAcknowledgement?) {
        guard payload.readableBytes <= TelemetryMessage.maximumPayloadBytes else {
            acknowledgement?.complete(.implementationSpecificError)
            return record(.tooLarge)
        }
        let arrival = Arrival(tenant: tenant, twin: twin, payload: payload, receivedAt: clock.now, acknowledgement: acknowledgement)
        if !queue.enqueue(arrival) {
            acknowledgement?.complete(.quotaExceeded)
            record(.queueFull)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.queue.wakeups {
                await self.store(self.queue.drain(upTo: self.configuration.batchSize))
            }
        }
        // What arrived before the stop is still stored.
        while true {
            let rest = queue.drain(upTo: configuration.batchSize)
            if rest.isEmpty { break }
            await store(rest)
        }
        queue.finish()
    }

    private func store(_ batch: [Arrival]) async {
        depth.record(queue.count)
        var messages: [TelemetryMessage] = []
        var acknowledgements: [MQTTAcknowledgement?] = []
        messages.reserveCapacity(batch.count)
        for arrival in batch {
            do {
                messages.append(
                    try TelemetryMessage(
                        tenant: arrival.tenant, twin: arrival.twin, payload: arrival.payload.readableBytesView, receivedAt: arrival.receivedAt))
                acknowledgements.append(arrival.acknowledgement)
            } catch {
                arrival.acknowledgement?.complete(.payloadFormatInvalid)
                record(.invalid)
                logger.debug("telemetry dropped", metadata: ["doppel.device": "\(arrival.twin)", "reason": "\(error)"])
            }
        }
        guard !messages.isEmpty else { return }
        do {
            let offsets = try await store.appendTelemetry(messages)
            // Committed: only now do durable messages get their PUBACK.
            for (acknowledgement, offset) in zip(acknowledgements, offsets) {
                acknowledgement?.complete(offset == nil ? .implementationSpecificError : .success)
            }
            let stored = offsets.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            record(.stored, stored)
            record(.unknownTwin, offsets.count - stored)
            for listener in listeners.withLock({ $0 }) { listener(messages, offsets) }
        } catch {
            for acknowledgement in acknowledgements { acknowledgement?.complete(.unspecifiedError) }
            record(.failed, messages.count)
            logger.error("telemetry batch not stored", metadata: ["error": "\(error)", "messages": "\(messages.count)"])
        }
    }

    private func record(_ outcome: Outcome, _ amount: Int = 1) {
        guard amount > 0 else { return }
        counters[outcome]!.increment(by: amount)
    }
}
