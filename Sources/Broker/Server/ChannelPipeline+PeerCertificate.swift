import NIOCore
import NIOSSL

extension ChannelPipeline.SynchronousOperations {
    /// The subject Common Name of the client's TLS certificate, when the connection is TLS and the client
    /// presented a certificate that chains to one of the listener's client CAs
    /// (see ``MQTTClientCertificateVerifier``).
    ///
    /// Reads the TLS handler's state directly: call it on the channel's event loop (it never blocks).
    var verifiedPeerCommonName: String? {
        guard let tls = try? handler(type: NIOSSLHandler.self), let certificate = tls.peerValidatedCertificateChain?.leaf else { return nil }
        // The most significant (last) CN when a subject carries several, as NIOSSL's own name check reads it.
        return certificate.subjectName.last { $0.type == .commonName }?.value
    }

    /// The client's TLS certificate in DER: one issued by a client CA, or one that chains to none but passed
    /// the handshake on a listener that accepts those. The handshake proved the client holds its key.
    var verifiedPeerCertificateDER: [UInt8]? {
        guard let tls = try? handler(type: NIOSSLHandler.self), let certificate = tls.peerCertificate else { return nil }
        return try? certificate.toDERBytes()
    }
}
