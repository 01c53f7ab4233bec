import Broker
import Logging
import NIOCore
import ServiceLifecycle
import TwinModel

/// Where devices meet twins: device requests on the native dialect, desired-state deltas pushed when
/// desired changes or a device's subscription to its delta topic becomes active, and connection state
/// recorded in the registry.
///
/// The broker and the store hand work over through one bounded queue; one task drains it in batches, so a
/// batch of reported patches is one transaction, and per device everything happens in arrival order.
public final class DeviceSync: Service, MQTTBrokerEvents {
    enum Work: Sendable {
        case request(MQTTMessage, DeviceTopic)
        /// Push the device's delta; `committed` is the twin as a desired change left it, used when nothing
        /// changed it since (else the store is read).
        case reconcile(DeviceAddress, committed: Twin?)
        case connection(DeviceAddress, connected: Bool)
        /// A request of the AWS IoT Device Shadow dialect.
        case shadow(MQTTMessage, ShadowTopic)
        case azure(MQTTMessage, AzureTopic, device: String)
    }

    /// Requests waiting beyond this are answered 503 at once.
    public static let queueCapacity = 10_000
    public let store: TwinStore
    public let broker: BrokerCore
    /// Commands to this broker's devices; queued ones go out when a device's command subscription becomes active.
    public let commands: DeviceCommands
    /// IoT Hub cloud-to-device messages; queued ones go out when a device subscribes to them.
    public let cloudToDevice: CloudToDeviceMessages
    let logger: Logger
    let queue = WorkQueue<Work>(capacity: DeviceSync.queueCapacity)

    public init(store: TwinStore, broker: BrokerCore, logger: Logger) throws {
        self.store = store
        self.broker = broker
        self.logger = logger
        commands = try DeviceCommands(broker: broker, store: store, logger: logger)
        cloudToDevice = CloudToDeviceMessages(broker: broker, store: store, logger: logger)
        _ = try broker.subscribe("tenant/+/device/+/twin/+") { [queue, broker] message in
            // Our own publications (deltas) come back here: only devices' requests are work.
            guard message.publisherClientID != nil, let topic = DeviceTopic(message.topic),
                topic.path == "twin/reported" || topic.path == "twin/get" || topic.path == "twin/rejected"
            else { return }
            if !queue.enqueue(.request(message, topic)) {
                broker.publish(NativeReply.error(503, "the server is busy; retry", to: message, topic: topic))
            }
        }
        try Self.subscribeShadowRequests(broker: broker, queue: queue)
        store.observeDesiredChanges { [queue] tenant, twin in
            _ = queue.enqueue(.reconcile(DeviceAddress(tenant: tenant, id: twin.id), committed: twin), bypassingCapacity: true)
        }
        try subscribeAzureRequests()
        try subscribeJobsRequests()
        broker.setEvents(self)
    }

    public func run() async throws {
        try await store.markAllDevicesDisconnected()
        await cancelWhenGracefulShutdown {
            for await _ in self.queue.wakeups {
                await self.process(self.queue.drain())
            }
        }
        queue.finish()
    }

    // MARK: MQTTBrokerEvents

    public func clientConnected(_ identity: MQTTIdentity, clientID: String, sessionPresent: Bool) {
        guard let device = DeviceAuthenticator.device(of: identity) else { return }
        _ = queue.enqueue(.connection(device, connected: true), bypassingCapacity: true)
        // A resumed session still holds its subscriptions to the delta and command topics: they became active again.
        if sessionPresent {
            _ = queue.enqueue(.reconcile(device, committed: nil), bypassingCapacity: true)
            commands.subscriptionBecameActive(device)
            cloudToDevice.subscriptionBecameActive(device)
        }
    }

    public func clientSubscribed(_ identity: MQTTIdentity, clientID: String, filters: [String]) {
        guard let device = DeviceAuthenticator.device(of: identity) else { return }
        var tree = TopicTree<Int>()
        for filter in filters { try? tree.insert(0, for: filter) }
        func matches(_ topic: String) -> Bool {
            var matches: [Int] = []
            tree.match(topic, into: &matches)
            return !matches.isEmpty
        }
        if matches(DeviceTopic(tenant: device.tenant, device: device.id, path: "twin/desired").name) {
            _ = queue.enqueue(.reconcile(device, committed: nil), bypassingCapacity: true)
        }
        if matches(DeviceTopic(tenant: device.tenant, device: device.id, path: "commands/any").name)
            || matches(AzureTopic.methodRequest("any", requestID: "0"))
        {
            commands.subscriptionBecameActive(device)
        }
        if matches(AzureTopic.cloudToDevicePrefix(device: device.id) + "any") {
            cloudToDevice.subscriptionBecameActive(device)
        }
    }

    public func clientDisconnected(_ identity: MQTTIdentity, clientID: String) {
        guard let device = DeviceAuthenticator.device(of: identity) else { return }
        _ = queue.enqueue(.connection(device, connected: false), bypassingCapacity: true)
    }
}
