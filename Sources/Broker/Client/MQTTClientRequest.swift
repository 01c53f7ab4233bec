import NIOCore

/// What ``MQTTClient`` asks of its channel handler, written through the pipeline so that the handler
/// sees it on its event loop; the write's promise is the operation's completion unless stated otherwise.
enum MQTTClientRequest: Sendable {
    /// Opens the session; the promise gets the server's CONNACK (or the refusal, as an error).
    case connect(MQTTPacket.Connect, EventLoopPromise<MQTTPacket.ConnAck>)
    /// Packets encoded by the caller (QoS 0 publications): written as they are, completing when written.
    case encoded(ByteBuffer)
    /// A QoS 1 or 2 publication: completes on PUBACK or PUBCOMP.
    case publish(MQTTPacket.Publish)
    /// Publications of any QoS, written and flushed together: completes when the last is acknowledged.
    case publishBatch([MQTTPacket.Publish])
    /// The handler assigns the packet identifier; the promise gets SUBACK's reason codes.
    case subscribe(MQTTPacket.Subscribe, EventLoopPromise<[MQTTReasonCode]>)
    /// The handler assigns the packet identifier; the promise gets UNSUBACK's reason codes.
    case unsubscribe(MQTTPacket.Unsubscribe, EventLoopPromise<[MQTTReasonCode]>)
    /// Ends the session: completes when written; the connection then closes as the client's choice.
    case disconnect(MQTTPacket.Disconnect)
}
