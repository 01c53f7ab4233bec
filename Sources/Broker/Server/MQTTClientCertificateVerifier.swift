import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Judges the certificate a client presents on a mutual-TLS listener.
///
/// A certificate that chains to one of the client CAs is verified, and its chain is kept on the connection
/// (``NIOSSLHandler/peerValidatedCertificateChain``): only such a certificate's subject CN reaches the
/// authenticator. With ``acceptsUnchained`` a certificate that chains to no client CA (a self-signed device
/// certificate, as AWS IoT registers them without a CA) still completes the handshake while within its
/// validity period, but with no validated chain: the authenticator then sees its DER and no CN, so only a
/// check against registered thumbprints can admit it. The handshake itself has proved the client holds the
/// certificate's key either way.
struct MQTTClientCertificateVerifier: Sendable {
    let roots: CertificateStore
    let acceptsUnchained: Bool

    init(clientCAs: [NIOSSLCertificate], acceptsUnchained: Bool) throws {
        roots = CertificateStore(try clientCAs.map { try Certificate(derEncoded: $0.toDERBytes()) })
        self.acceptsUnchained = acceptsUnchained
    }

    func verify(_ presented: [NIOSSLCertificate], promise: EventLoopPromise<NIOSSLVerificationResultWithMetadata>) {
        let parsed = presented.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        guard let leaf = parsed.first, parsed.count == presented.count else { return promise.succeed(.failed) }
        let intermediates = CertificateStore(parsed.dropFirst())
        promise.completeWithTask { [roots, acceptsUnchained] in
            let now = Date()
            var verifier = Verifier(rootCertificates: roots) { RFC5280Policy(validationTime: now) }
            switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
            case .validCertificate(let chain):
                let validated = try chain.map { certificate in
                    var serializer = DER.Serializer()
                    try serializer.serialize(certificate)
                    return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
                }
                return .certificateVerified(VerificationMetadata(NIOSSL.ValidatedCertificateChain(validated)))
            case .couldNotValidate:
                guard acceptsUnchained, leaf.notValidBefore <= now, now <= leaf.notValidAfter else { return .failed }
                return .certificateVerified(VerificationMetadata(nil))
            }
        }
    }
}
