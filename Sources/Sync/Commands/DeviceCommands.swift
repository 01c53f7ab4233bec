import Broker
import Foundation
import Logging
import NIOCore
import Synchronization
import TwinModel

/// Commands to devices: on the native dialect the request goes out on `commands/{name}?rid={id}` (with an
/// MQTT 5 Response Topic and Correlation Data as well) and the device answers on
/// `commands/res/{status}?rid={id}`; an IoT Hub device gets it as a direct method.
///
/// A command is synchronous (the caller waits for the reply or the timeout) or queued with a time to live:
/// kept in the store and delivered, oldest first, whenever the device's command subscription becomes
/// active, until it expires. Either way the twin's command history records what became of it.
public final class DeviceCommands: Sendable {
    /// What the device answered.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var payload: JSONValue
    }

    public enum Failure: Error, Equatable {
        /// The device is not connected, or not subscribed to its commands.
        case offline(String)
        /// No reply within the timeout.
        case timedOut(String, seconds: Double)
    }

    let broker: BrokerCore
    let store: TwinStore
    let logger: Logger
    private let pending = Mutex<[String: CheckedContinuation<Reply, any Error>]>([:])
    private let passes = DevicePasses()

    public init(broker: BrokerCore, store: TwinStore, logger: Logger) throws {
        self.broker = broker
        self.store = store
        self.logger = logger
        _ = try broker.subscribe("tenant/+/device/+/commands/res/#") { [weak self] message in
            self?.received(message)
        }
        _ = try broker.subscribe("$iothub/methods/res/#") { [weak self] message in
            self?.receivedMethodResponse(message)
        }
    }

    /// Sends command `name` with `payload` to `device` and waits up to `timeout` for its reply; the outcome
    /// goes into the twin's command history under the returned id.
    public func invoke(
        _ name: String, payload: JSONValue, on device: DeviceAddress, timeout: Duration, requestedBy: String = "system"
    ) async throws -> (id: String, reply: Reply) {
        var command = CommandRecord(twin: device.id, name: name, payload: payload, status: .sent, requestedBy: requestedBy, timeout: timeout)
        command.deliveredAt = command.createdAt
        try await store.recordCommand(command, in: device.tenant)
        do {
            let reply = try await exchange(command, with: device)
            try await store.finishCommand(command.id, status: .completed, replyStatus: reply.status, reply: reply.payload)
            return (command.id, reply)
        } catch let failure as Failure {
            try await store.finishCommand(command.id, status: failure.status)
            throw failure
        }
    }

    /// Queues command `name` for `device` until `timeToLive` passes, and starts delivering at once if the
    /// device is listening. The device then has `timeout` to reply.
    public func enqueue(
        _ name: String, payload: JSONValue, for device: DeviceAddress, timeToLive: Duration, timeout: Duration, requestedBy: String = "system"
    ) async throws -> CommandRecord {
        let now = Timestamp.now
        let command = CommandRecord(
            twin: device.id, name: name, payload: payload, status: .queued, requestedBy: requestedBy, createdAt: now,
            expiresAt: Timestamp(milliseconds: now.milliseconds + Int64(timeToLive.components.seconds) * 1_000), timeout: timeout)
        try await store.recordCommand(command, in: device.tenant)
        subscriptionBecameActive(device)
        return command
    }

    /// The device now listens for commands (a new subscription or a resumed session): its queued commands
    /// go out, one at a time, each waiting for its reply or timeout. One pass per device at a time; a call
    /// during a pass makes it look again at the end.
    public func subscriptionBecameActive(_ device: DeviceAddress) {
        Task { await passes.run(for: device) { await deliverQueued(to: device) } }
    }

    private func deliverQueued(to device: DeviceAddress) async {
        do {
            while let command = try await store.takeQueuedCommand(of: device.id, in: device.tenant) {
                do {
                    let reply = try await exchange(command, with: device)
                    try await store.finishCommand(command.id, status: .completed, replyStatus: reply.status, reply: reply.payload)
                } catch Failure.offline {
                    // Gone again before it took this one: it waits for the next subscription.
                    try await store.finishCommand(command.id, status: .queued)
                    return
                } catch let failure as Failure {
                    try await store.finishCommand(command.id, status: failure.status)
                }
            }
        } catch {
            logger.error("queued commands not delivered", metadata: ["doppel.device": "\(device.id)", "error": "\(error)"])
        }
    }

    /// Publishes the command (the native request, or a direct method when nobody takes that) and waits for the
    /// reply under the command's id.
    private func exchange(_ command: CommandRecord, with device: DeviceAddress) async throws -> Reply {
        let requestID = command.id
        let prefix = DeviceTopic.prefix(tenant: device.tenant, device: device.id)
        var properties = MQTTProperties()
        properties.contentType = "application/json"
        properties.responseTopic = prefix + "commands/res"
        properties.correlationData = ByteBuffer(string: requestID)
        let request = MQTTMessage(
            topic: DeviceTopic(tenant: device.tenant, device: device.id, path: "commands/\(command.name)", requestID: requestID).name,
            payload: ByteBuffer(bytes: command.payload.encoded()), qos: .atLeastOnce, properties: properties)
        let timeout = command.timeout
        return try await withThrowingTaskGroup(of: Reply.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        self.pending.withLock { $0[requestID] = continuation }
                        // Cancelled before the continuation was stored: the cancellation handler found nothing.
                        if Task.isCancelled, let waiting = self.take(requestID) {
                            waiting.resume(throwing: CancellationError())
                            return
                        }
                        // Nobody subscribed to the device's native commands: an IoT Hub device may take it as a
                        // direct method; otherwise it is offline for commands.
                        if self.broker.publish(request) == 0,
                            self.sendDirectMethod(command.name, payload: command.payload, to: device, requestID: requestID) == 0,
                            let waiting = self.take(requestID)
                        {
                            waiting.resume(throwing: Failure.offline(device.id))
                        }
                    }
                } onCancel: {
                    self.take(requestID)?.resume(throwing: CancellationError())
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut(device.id, seconds: Double(timeout.components.seconds))
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// `$iothub/methods/POST/{name}/?$rid={id}` to the device's own connection (tenant `default` only).
    private func sendDirectMethod(_ name: String, payload: JSONValue, to device: DeviceAddress, requestID: String) -> Int {
        guard device.tenant == TwinStore.defaultTenant else { return 0 }
        let message = MQTTMessage(
            topic: AzureTopic.methodRequest(name, requestID: requestID), payload: ByteBuffer(bytes: payload.encoded()), qos: .atMostOnce)
        return broker.publish(message, toClient: device.id)
    }

    /// An IoT Hub device's answer to a direct method: `$iothub/methods/res/{status}/?$rid={id}`.
    private func receivedMethodResponse(_ message: MQTTMessage) {
        guard message.publisherClientID != nil, case .methodResponse(let status, let requestID)? = AzureTopic(message.topic),
            let waiting = take(requestID)
        else { return }
        waiting.resume(returning: Reply(status: status, payload: Self.payload(of: message)))
    }

    /// A device's answer: JSON when it parses, its text otherwise, `null` when empty.
    private static func payload(of message: MQTTMessage) -> JSONValue {
        let bytes = Array(message.payload.readableBytesView)
        if bytes.isEmpty { return .null }
        return (try? JSONParser().parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
    }

    private func take(_ requestID: String) -> CheckedContinuation<Reply, any Error>? {
        pending.withLock { $0.removeValue(forKey: requestID) }
    }

    /// A device's reply: the status from the topic (or a `status` user property), the request id from the
    /// topic's `rid` or the correlation data.
    private func received(_ message: MQTTMessage) {
        guard message.publisherClientID != nil, let topic = DeviceTopic(message.topic) else { return }
        let levels = topic.path.split(separator: "/")
        let requestID = topic.requestID ?? message.properties.correlationData.map { String(buffer: $0) }
        guard let requestID, let waiting = take(requestID) else { return }
        let status =
            (levels.count == 3 ? Int(levels[2]) : nil)
            ?? message.properties.userProperties.first { $0.name == "status" }.flatMap { Int($0.value) } ?? 200
        waiting.resume(returning: Reply(status: status, payload: Self.payload(of: message)))
    }
}

extension DeviceCommands.Failure {
    /// How the command history shows it.
    var status: CommandRecord.Status {
        switch self {
        case .offline: .offline
        case .timedOut: .timedOut
        }
    }
}
