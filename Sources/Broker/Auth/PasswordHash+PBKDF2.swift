import Crypto
import Foundation

extension PasswordHash {
    /// PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var derived: [UInt8] = []
        derived.reserveCapacity(keyLength + SHA256.byteCount)
        var blockIndex: UInt32 = 1
        while derived.count < keyLength {
            var first = keyed
            first.update(data: salt)
            withUnsafeBytes(of: blockIndex.bigEndian) { first.update(data: $0) }
            var code = first.finalize()
            var block = [UInt8](code.withUnsafeBytes { Array($0) })
            for _ in 1..<max(iterations, 1) {
                var next = keyed
                code.withUnsafeBytes { next.update(data: $0) }
                code = next.finalize()
                code.withUnsafeBytes { bytes in
                    for index in block.indices { block[index] ^= bytes[index] }
                }
            }
            derived += block
            blockIndex += 1
        }
        return Array(derived.prefix(keyLength))
    }
}
