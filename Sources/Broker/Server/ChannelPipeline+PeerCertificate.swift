import NIOCore
import NIOSSL

extension ChannelPipeline.SynchronousOperations {
    /// The subject Common Name of the client's TLS certificate, when the connection is TLS and the client
    /// presented one. A listener asks for client certificates only with mutual TLS, and there a certificate
    /// that does not verify fails the handshake, so any certificate found here has been verified.
    ///
    /// Reads the TLS handler's state directly: call it on the channel's event loop (it never blocks).
    var verifiedPeerCommonName: String? {
        guard let tls = try? handler(type: NIOSSLHandler.self), let certificate = tls.peerCertificate else { return nil }
        // The most significant (last) CN when a subject carries several, as NIOSSL's own name check reads it.
        return certificate.subjectName.last { $0.type == .commonName }?.value
    }

    /// The client's verified TLS certificate in DER, under the same conditions as ``verifiedPeerCommonName``.
    var verifiedPeerCertificateDER: [UInt8]? {
        guard let tls = try? handler(type: NIOSSLHandler.self), let certificate = tls.peerCertificate else { return nil }
        return try? certificate.toDERBytes()
    }
}
