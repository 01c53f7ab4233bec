/// A file the broker was configured with that it cannot use; each case names the file (and line) so an
/// operator can fix it. Thrown at start, before any listener binds.
public enum MQTTConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The file holds no PEM block of the kind expected (`what`: "certificate", "private key").
    case notPEM(path: String, what: String)
    /// The private key is not the key of the first certificate in the chain.
    case keyDoesNotMatchCertificate(key: String, certificate: String)
    /// A line of a password file that is not `username:hash` in the documented format.
    case malformedPasswordLine(path: String, line: Int, problem: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): "\(path): cannot read the file (\(reason))"
        case .notPEM(let path, let what): "\(path): not a PEM file holding a \(what)"
        case .keyDoesNotMatchCertificate(let key, let certificate):
            "\(key): the private key does not belong to the certificate in \(certificate)"
        case .malformedPasswordLine(let path, let line, let problem): "\(path):\(line): \(problem)"
        }
    }
}
