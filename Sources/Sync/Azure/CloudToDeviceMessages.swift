import Broker
import Foundation
import Logging
import NIOCore
import Synchronization
import TwinModel

/// IoT Hub cloud-to-device messages: queued in the store with a time to live, and handed to the device's
/// MQTT session (QoS 1) on `devices/{id}/messages/devicebound/{property bag}` whenever its subscription to
/// `devices/{id}/messages/devicebound/#` becomes active — at once if it already is.
public final class CloudToDeviceMessages: Sendable {
    let broker: BrokerCore
    let store: TwinStore
    let logger: Logger
    private let passes = DevicePasses()

    public init(broker: BrokerCore, store: TwinStore, logger: Logger) {
        self.broker = broker
        self.store = store
        self.logger = logger
    }

    /// Queues `message` for its device and delivers it at once when the device listens.
    public func send(_ message: DeviceMessage, in tenant: String) async throws {
        try await store.queueDeviceMessage(message, in: tenant)
        await deliver(to: DeviceAddress(tenant: tenant, id: message.twin))
    }

    /// The device subscribed to its cloud-to-device topic (or resumed a session that has it).
    public func subscriptionBecameActive(_ device: DeviceAddress) {
        Task { await deliver(to: device) }
    }

    private func deliver(to device: DeviceAddress) async {
        await passes.run(for: device) { await deliverQueued(to: device) }
    }

    private func deliverQueued(to device: DeviceAddress) async {
        do {
            let messages = try await store.takeQueuedDeviceMessages(of: device.id, in: device.tenant)
            var missed: [String] = []
            for message in messages {
                let published = MQTTMessage(topic: Self.topic(of: message), payload: ByteBuffer(bytes: message.body), qos: .atLeastOnce)
                if missed.isEmpty, broker.publish(published, toClient: device.id) > 0 { continue }
                missed.append(message.id)
            }
            try await store.returnDeviceMessages(missed)
        } catch {
            logger.error("cloud-to-device messages not delivered", metadata: ["doppel.device": "\(device.id)", "error": "\(error)"])
        }
    }

    /// `devices/{id}/messages/devicebound/{bag}`: IoT Hub's system properties (`$.mid`, `$.to`, `$.ct`, `$.ce`,
    /// `$.exp`) then the application properties, each key and value percent-encoded.
    static func topic(of message: DeviceMessage) -> String {
        var pairs = [("$.mid", message.id), ("$.to", "/devices/\(message.twin)/messages/devicebound")]
        if let contentType = message.contentType {
            pairs.append(("$.ct", contentType))
            pairs.append(("$.ce", "utf-8"))
        }
        pairs.append(("$.exp", message.expiresAt.iso8601))
        pairs += message.properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let bag = pairs.map { Self.percentEncoded($0.0) + "=" + Self.percentEncoded($0.1) }.joined(separator: "&")
        return AzureTopic.cloudToDevicePrefix(device: message.twin) + bag
    }

    /// Everything but RFC 3986's unreserved characters (and `$`, which IoT Hub's own keys start with).
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~$")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
