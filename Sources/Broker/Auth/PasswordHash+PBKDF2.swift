import Crypto
import CryptoExtras

extension PasswordHash {
    /// PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2), by swift-crypto (BoringSSL).
    ///
    /// The iteration count travels with each stored hash and may be below the library's floor for new
    /// password storage, so the unchecked entry point is used. It fails only for parameters callers never
    /// pass; an empty key then matches nothing.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: keyLength, unsafeUncheckedRounds: max(iterations, 1))
        return key?.withUnsafeBytes { Array($0) } ?? []
    }
}
