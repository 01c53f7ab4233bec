import Logging
import NIOCore

/// One client connection on its event loop: CONNECT and authentication, then each packet handed to the
/// broker core and the session. Everything here runs on the channel's event loop; a client that breaks
/// the protocol is disconnected with the specified reason code and nothing else is affected.
final class MQTTConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    let core: BrokerCore
    let authenticator: any MQTTAuthenticator
    /// Shared by every connection; ``logger`` adds this connection's details when something is logged.
    let baseLogger: Logger
    /// The client id once CONNECT named (or was assigned) one.
    var clientID: String?

    enum State {
        case awaitingConnect
        /// Waiting for the authenticator; packets the client sent meanwhile wait too (MQTT-3.1.4-7).
        case authenticating(buffered: [MQTTPacket])
        case connected(Client)
        case closed
    }

    /// An accepted client.
    struct Client {
        let session: MQTTSession
        let connection: MQTTConnection
        let identity: MQTTIdentity
        /// Builds the will message when it is published.
        var will: (@Sendable () -> MQTTMessage)?
        var willDelay: UInt32
        /// Topic aliases the client set (5.0).
        var aliases: [UInt16: String] = [:]
        /// Whether the session expiry at CONNECT was 0, which DISCONNECT may not change (MQTT-3.14.2-2).
        var expiryWasZero: Bool
    }

    var state = State.awaitingConnect
    /// Set once the broker decided to close an accepted client: later packets are ignored, and the
    /// session is let go when the channel goes inactive.
    var isClosing = false
    var context: ChannelHandlerContext?
    var connectTimeoutTask: Scheduled<Void>?

    init(core: BrokerCore, authenticator: any MQTTAuthenticator, logger: Logger) {
        self.core = core
        self.authenticator = authenticator
        self.baseLogger = logger
    }

    /// The logger with the client's id and address, built only when something is logged.
    var logger: Logger {
        var logger = baseLogger
        if let clientID { logger[metadataKey: "mqtt.client_id"] = "\(clientID)" }
        if let remote = context?.channel.remoteAddress { logger[metadataKey: "mqtt.remote"] = "\(remote)" }
        return logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let timeout = core.configuration.connectTimeout
        connectTimeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(timeout)) { [weak self] in
            guard let self, case .awaitingConnect = self.state else { return }
            self.logger.debug("no CONNECT in time; closing")
            self.close()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let packet = unwrapInboundIn(data)
        if isClosing { return }
        switch state {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else { return close() }
            handleConnect(connect, context: context)
        case .authenticating(var buffered):
            buffered.append(packet)
            state = .authenticating(buffered: buffered)
        case .connected(var client):
            client.connection.touch()
            handle(packet, client: &client, context: context)
            if case .connected = state { state = .connected(client) }
        case .closed:
            return
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .connected(let client) = state {
            countDrops(client.session.releasePending(now: .now()))
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectTimeoutTask?.cancel()
        if case .connected(let client) = state {
            core.statistics.disconnected()
            core.unregister(client.connection)
            core.connectionClosed(
                client.connection, of: client.session, will: client.will, willDelay: client.willDelay, on: context.eventLoop)
            core.currentEvents?.clientDisconnected(client.identity, clientID: client.session.clientID)
            logger.debug("connection closed")
        }
        state = .closed
        context.fireChannelInactive()
    }

    /// Decoder errors arrive here: answer with the reason code the error carries, then close.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let protocolError = error as? MQTTProtocolError else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            return close()
        }
        logger.info("protocol error", metadata: ["mqtt.reason": "\(protocolError)"])
        switch state {
        case .connected(let client):
            client.connection.disconnect(protocolError.reasonCode, reasonString: protocolError.description)
            isClosing = true
        case .awaitingConnect, .authenticating:
            if case .unsupportedProtocolVersion = protocolError {
                // The 3.1.1 CONNACK layout with return code 1: every client version can read it (MQTT-3.1.2-2).
                var refusal = context.channel.allocator.buffer(capacity: 4)
                refusal.writeBytes([0x20, 0x02, 0x00, 0x01])
                context.writeAndFlush(wrapOutboundOut(refusal), promise: nil)
            }
            close()
        case .closed:
            break
        }
    }

    /// Closes the connection without a DISCONNECT (3.1.1, or before CONNACK).
    func close() {
        state = .closed
        context?.close(promise: nil)
    }

    /// Disconnects an accepted client with `reason` (a DISCONNECT in 5.0).
    func disconnect(_ client: Client, _ reason: MQTTReasonCode, _ why: String) {
        logger.info("disconnecting client", metadata: ["mqtt.reason": "\(reason)", "mqtt.why": "\(why)"])
        client.connection.disconnect(reason, reasonString: why)
        isClosing = true
    }

    func countDrops(_ drops: [MQTTDropReason]) {
        for reason in drops { core.statistics.dropped(reason) }
    }
}
