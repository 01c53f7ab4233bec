import Logging
import NIOCore
import NIOSSL

extension MQTTServer {
    /// Sets up one accepted connection: TLS first when the transport has it, then either the MQTT handlers
    /// directly or the HTTP handlers that upgrade to WebSocket and add them.
    static func configure(
        _ pipeline: ChannelPipeline.SynchronousOperations, for transport: MQTTTransport, core: BrokerCore,
        authenticator: any MQTTAuthenticator, logger: Logger
    ) throws {
        if let tls = transport.tlsConfiguration {
            if let verifier = tls.clientCertificateVerifier {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls.context, customVerificationCallbackWithMetadata: verifier.verify))
            } else {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
            }
            try pipeline.addHandler(MQTTTLSFailureHandler(logger: logger))
        }
        switch transport {
        case .tcp, .tls:
            try addMQTTHandlers(to: pipeline, core: core, authenticator: authenticator, logger: logger)
        case .webSocket(let path, _):
            try configureWebSocketUpgrade(pipeline, path: path, core: core, authenticator: authenticator, logger: logger)
        }
    }

    /// The decoder and the connection handler: the same for every transport, fed a stream of bytes.
    static func addMQTTHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, core: BrokerCore, authenticator: any MQTTAuthenticator,
        logger: Logger
    ) throws {
        try pipeline.addHandler(ByteToMessageHandler(MQTTDecoder(maximumPacketSize: core.configuration.maximumPacketSize)))
        try pipeline.addHandler(MQTTConnectionHandler(core: core, authenticator: authenticator, logger: logger))
    }
}
