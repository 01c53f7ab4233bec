import Crypto
import Foundation

/// A salted PBKDF2-HMAC-SHA256 password hash, written `$pbkdf2-sha256$ITERATIONS$SALT$KEY` with SALT and KEY
/// in standard base64 (RFC 4648 §4, padding optional). `docs/transports.md` shows how to make one.
public struct PasswordHash: Sendable, Hashable {
    public static let scheme = "pbkdf2-sha256"
    /// Bounds that keep a typo from making every CONNECT either trivial or endless to check.
    public static let iterationRange = 1_000...10_000_000
    public static let minimumSaltBytes = 8
    public static let keyByteRange = 16...64
    /// What ``init(password:salt:iterations:)`` uses unless told otherwise.
    public static let defaultIterations = 100_000

    public let iterations: Int
    public let salt: [UInt8]
    public let key: [UInt8]

    /// Hashes `password`; without a `salt`, 16 random bytes.
    public init(password: String, salt: [UInt8]? = nil, iterations: Int = Self.defaultIterations) {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        self.iterations = iterations
        self.salt = salt
        self.key = Self.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations, keyLength: 32)
    }

    /// Reads the encoded form; the error says what is wrong with it.
    public init(encoded: some StringProtocol) throws(Problem) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else { throw .notInFormat }
        guard fields[1] == Self.scheme else { throw .unknownScheme(String(fields[1])) }
        guard let iterations = Int(fields[2]), Self.iterationRange.contains(iterations) else {
            throw .badIterations(String(fields[2]))
        }
        guard let salt = Self.base64(fields[3]), salt.count >= Self.minimumSaltBytes else { throw .badSalt }
        guard let key = Self.base64(fields[4]), Self.keyByteRange.contains(key.count) else { throw .badKey }
        self.iterations = iterations
        self.salt = salt
        self.key = key
    }

    public var encoded: String {
        "$\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` hashes to this key; the comparison takes the same time wherever the bytes differ.
    public func verifies(_ password: some Collection<UInt8>) -> Bool {
        let derived = Self.pbkdf2(password: Array(password), salt: salt, iterations: iterations, keyLength: key.count)
        return Self.constantTimeEqual(derived, key)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func base64(_ text: some StringProtocol) -> [UInt8]? {
        var padded = String(text)
        guard !padded.isEmpty else { return nil }
        padded += String(repeating: "=", count: (4 - padded.utf8.count % 4) % 4)
        return Data(base64Encoded: padded).map { [UInt8]($0) }
    }

    /// What is wrong with an encoded hash, for the password file's error message.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case notInFormat
        case unknownScheme(String)
        case badIterations(String)
        case badSalt
        case badKey

        public var description: String {
            switch self {
            case .notInFormat: "the hash is not $pbkdf2-sha256$ITERATIONS$SALT$KEY"
            case .unknownScheme(let scheme): "unknown hash scheme \"\(scheme)\" (expected \(PasswordHash.scheme))"
            case .badIterations(let text):
                "iterations must be a number from \(PasswordHash.iterationRange.lowerBound) to \(PasswordHash.iterationRange.upperBound), not \"\(text)\""
            case .badSalt: "the salt must be base64 of at least \(PasswordHash.minimumSaltBytes) bytes"
            case .badKey:
                "the key must be base64 of \(PasswordHash.keyByteRange.lowerBound) to \(PasswordHash.keyByteRange.upperBound) bytes"
            }
        }
    }
}
