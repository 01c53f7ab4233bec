import Broker
import Foundation
import NIOCore
import Synchronization
import TwinModel

/// Synchronous commands to devices on the native dialect: the request goes out on
/// `commands/{name}?rid={id}` (with an MQTT 5 Response Topic and Correlation Data as well), and the caller
/// waits for the device's reply on `commands/res/{status}?rid={id}` or for its timeout.
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
    private let pending = Mutex<[String: CheckedContinuation<Reply, any Error>]>([:])

    public init(broker: BrokerCore) throws {
        self.broker = broker
        _ = try broker.subscribe("tenant/+/device/+/commands/res/#") { [weak self] message in
            self?.received(message)
        }
        _ = try broker.subscribe("$iothub/methods/res/#") { [weak self] message in
            self?.receivedMethodResponse(message)
        }
    }

    /// Sends command `name` with `payload` to `device` and waits up to `timeout` for its reply.
    public func invoke(_ name: String, payload: JSONValue, on device: DeviceAddress, timeout: Duration) async throws -> Reply {
        let requestID = UUID().uuidString.lowercased()
        let prefix = DeviceTopic.prefix(tenant: device.tenant, device: device.id)
        var properties = MQTTProperties()
        properties.contentType = "application/json"
        properties.responseTopic = prefix + "commands/res"
        properties.correlationData = ByteBuffer(string: requestID)
        let request = MQTTMessage(
            topic: DeviceTopic(tenant: device.tenant, device: device.id, path: "commands/\(name)", requestID: requestID).name,
            payload: ByteBuffer(bytes: payload.encoded()), qos: .atLeastOnce, properties: properties)
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
                        if self.broker.publish(request) == 0, self.sendDirectMethod(name, payload: payload, to: device, requestID: requestID) == 0,
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
