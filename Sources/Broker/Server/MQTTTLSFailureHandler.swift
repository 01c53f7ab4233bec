import Logging
import NIOCore
import NIOSSL

/// Sits right behind the TLS handler and turns its failures (a certificate that does not verify, no
/// certificate where one is required, plain TCP on the TLS port) into one info line; the TLS handler
/// closes that connection, and nothing else is affected.
final class MQTTTLSFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOSSLError.uncleanShutdown:
            // A client that drops the TCP connection without close_notify: common, and not a TLS failure.
            logger.debug("TLS connection closed without close_notify")
            context.close(promise: nil)
        case let error as NIOSSLError:
            logger.info("TLS failure; closing the connection", metadata: ["tls.error": "\(error)"])
            context.close(promise: nil)
        case let error as BoringSSLError:
            logger.info("TLS failure; closing the connection", metadata: ["tls.error": "\(error)"])
            context.close(promise: nil)
        default:
            context.fireErrorCaught(error)
        }
    }
}
