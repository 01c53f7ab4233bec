import Foundation
import NIOSSL

/// The server side of TLS for a listener: its certificate chain and key and, for mutual TLS, the CAs whose
/// client certificates it accepts. TLS 1.2 and 1.3 only.
///
/// Loaded and checked once at start, so a missing file, a file that is not PEM or a key that does not
/// belong to the certificate stops the start with the file named, never a client's connection.
public struct MQTTTLSConfiguration: Sendable {
    /// Shared by every connection of the listeners that use this configuration.
    let context: NIOSSLContext
    /// Whether clients must present a certificate (mutual TLS).
    public let requiresClientCertificate: Bool
    /// Judges client certificates under mutual TLS.
    let clientCertificateVerifier: MQTTClientCertificateVerifier?

    /// - Parameters:
    ///   - certificateFile: PEM: the server certificate, then any intermediates.
    ///   - privateKeyFile: PEM: the certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted).
    ///   - clientCAFile: PEM: one or more CA certificates; with it, clients must present a certificate
    ///     (mutual TLS). The subject CN of one issued by one of them reaches the authenticator.
    ///   - acceptsUnchainedClientCertificates: with a client CA, a certificate issued by none of them (a
    ///     self-signed one) still completes the handshake; the authenticator sees its DER but no CN, so only a
    ///     registered thumbprint can admit it. Without it such a certificate fails the handshake.
    public init(
        certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil, acceptsUnchainedClientCertificates: Bool = false
    ) throws(MQTTConfigurationError) {
        let chain = try Self.certificates(in: certificateFile)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Self.contents(of: privateKeyFile), format: .pem)
        } catch let error as MQTTConfigurationError {
            throw error
        } catch {
            throw .notPEM(path: privateKeyFile, what: "private key")
        }
        var configuration: TLSConfiguration
        if let clientCAFile {
            let clientCAs = try Self.certificates(in: clientCAFile)
            do {
                clientCertificateVerifier = try MQTTClientCertificateVerifier(
                    clientCAs: clientCAs, acceptsUnchained: acceptsUnchainedClientCertificates)
            } catch {
                throw .notPEM(path: clientCAFile, what: "X.509 CA certificate")
            }
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(clientCAs))
            // Tells clients which CAs are accepted, so those holding several certificates pick the right one.
            configuration.sendCANameList = true
        } else {
            clientCertificateVerifier = nil
            configuration = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        configuration.minimumTLSVersion = .tlsv12
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            // The chain and the key each parsed, so what the context refuses is the pair.
            throw .keyDoesNotMatchCertificate(key: privateKeyFile, certificate: certificateFile)
        }
        requiresClientCertificate = clientCAFile != nil
    }

    private static func certificates(in path: String) throws(MQTTConfigurationError) -> [NIOSSLCertificate] {
        let bytes = try contents(of: path)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw .notPEM(path: path, what: "certificate")
        }
        return certificates
    }

    private static func contents(of path: String) throws(MQTTConfigurationError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadableFile(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "not readable")
        }
        return [UInt8](data)
    }
}
