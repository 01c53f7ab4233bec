import Broker
import NIOCore
import TwinModel

/// Replies to native-dialect requests: on the request's MQTT 5 response topic (with its correlation data
/// and a `status` user property) when it named one under the device's own topics, otherwise on
/// `twin/res/{status}` with the request's `rid`.
enum NativeReply {
    static func reply(_ status: Int, _ body: JSONValue, to request: MQTTMessage, topic: DeviceTopic) -> MQTTMessage {
        let prefix = DeviceTopic.prefix(tenant: topic.tenant, device: topic.device)
        var properties = MQTTProperties()
        properties.contentType = "application/json"
        properties.userProperties = [.init(name: "status", value: String(status))]
        var replyTopic = DeviceTopic(tenant: topic.tenant, device: topic.device, path: "twin/res/\(status)", requestID: topic.requestID).name
        // A response topic elsewhere would let one device publish into another's topics.
        if let responseTopic = request.properties.responseTopic, responseTopic.hasPrefix(prefix) {
            replyTopic = responseTopic
            properties.correlationData = request.properties.correlationData
        }
        return MQTTMessage(topic: replyTopic, payload: ByteBuffer(bytes: body.encoded()), qos: .atLeastOnce, properties: properties)
    }

    static func error(_ status: Int, _ message: String, to request: MQTTMessage, topic: DeviceTopic) -> MQTTMessage {
        reply(status, ["status": .int(Int64(status)), "message": .string(message)], to: request, topic: topic)
    }

    /// The HTTP-like status of a store error.
    static func status(of error: TwinModelError) -> Int {
        switch error {
        case .twinNotFound, .tenantNotFound: 404
        case .sectionTooLarge: 413
        case .preconditionFailed: 412
        default: 400
        }
    }
}
