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
    /// Whether clients must present a certificate that chains to one of the client CAs.
    public let requiresClientCertificate: Bool

    /// - Parameters:
    ///   - certificateFile: PEM: the server certificate, then any intermediates.
    ///   - privateKeyFile: PEM: the certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted).
    ///   - clientCAFile: PEM: one or more CA certificates; with it, clients must present a certificate
    ///     issued by one of them (mutual TLS), and the certificate's subject CN reaches the authenticator.
    public init(certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil) throws(MQTTConfigurationError) {
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
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key),
                trustRoots: .certificates(try Self.certificates(in: clientCAFile)))
            // Tells clients which CAs are accepted, so those holding several certificates pick the right one.
            configuration.sendCANameList = true
        } else {
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
