import Crypto
import CryptoExtras
import Foundation

/// A device secret as the registry keeps it: salted PBKDF2-HMAC-SHA256, stored in the text form
/// `$pbkdf2-sha256$ITERATIONS$SALT$KEY` (base64 salt and key), the form the broker's password files use.
///
/// The iteration count travels with each hash, so raising it later needs no migration.
struct DeviceSecretHash: Sendable, Hashable {
    static let scheme = "pbkdf2-sha256"
    /// Every CONNECT with a password pays for one derivation, so the count is moderate: it still slows
    /// guessing against a stolen database, and a reconnect of the whole fleet stays affordable.
    static let defaultIterations = 4_096

    let iterations: Int
    let salt: [UInt8]
    let key: [UInt8]

    init(secret: String, iterations: Int = Self.defaultIterations) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.iterations = iterations
        self.salt = salt
        key = Self.derive(Array(secret.utf8), salt: salt, iterations: iterations, length: 32)
    }

    /// Reads the stored form; `nil` when it is not one.
    init?(encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, fields[1] == Self.scheme, let iterations = Int(fields[2]), iterations > 0,
            let salt = Data(base64Encoded: String(fields[3])), let key = Data(base64Encoded: String(fields[4])), !key.isEmpty
        else { return nil }
        self.iterations = iterations
        self.salt = Array(salt)
        self.key = Array(key)
    }

    var encoded: String {
        "$\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `secret` derives this key; the comparison takes the same time wherever the bytes differ.
    func verifies(_ secret: some Collection<UInt8>) -> Bool {
        Self.constantTimeEqual(Self.derive(Array(secret), salt: salt, iterations: iterations, length: key.count), key)
    }

    static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2), by swift-crypto (BoringSSL). The iteration count travels with
    /// each hash and may be below the library's floor for new password storage, hence the unchecked entry
    /// point; it fails only for parameters never passed here, and an empty key then matches nothing.
    static func derive(_ password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: length, unsafeUncheckedRounds: max(iterations, 1))
        return key?.withUnsafeBytes { Array($0) } ?? []
    }
}
