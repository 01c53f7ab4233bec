import Foundation
import Testing

@testable import Broker

@Suite("PBKDF2-HMAC-SHA256 password hashes")
struct PasswordHashTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// RFC 7914 §11, and the widely published 4,096-iteration vector.
    @Test(arguments: [
        ("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        ("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func derivesTheStandardVectors(password: String, salt: String, iterations: Int, expected: String) {
        let key = Self.hex(expected)
        let derived = PasswordHash.pbkdf2(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, keyLength: key.count)
        #expect(derived == key)
    }

    @Test func verifiesTheRightPasswordOnly() {
        let hash = PasswordHash(password: "s3cret", iterations: 1_000)
        #expect(hash.verifies(Array("s3cret".utf8)))
        #expect(!hash.verifies(Array("s3cret ".utf8)))
        #expect(!hash.verifies(Array("S3cret".utf8)))
        #expect(!hash.verifies([]))
        #expect(hash.salt.count == 16)
        #expect(PasswordHash(password: "s3cret", iterations: 1_000).salt != hash.salt, "a fresh random salt each time")
    }

    @Test func encodedFormRoundTrips() throws {
        let hash = PasswordHash(password: "pw", salt: Array("0123456789abcdef".utf8), iterations: 1_000)
        #expect(hash.encoded.hasPrefix("$pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$"))
        #expect(try PasswordHash(encoded: hash.encoded) == hash)
        let unpadded = hash.encoded.replacingOccurrences(of: "=", with: "")
        #expect(try PasswordHash(encoded: unpadded) == hash, "base64 padding is optional")
    }

    /// The format operators produce with Python's hashlib, as docs/transports.md shows.
    @Test func readsAHashMadeElsewhere() throws {
        // hashlib.pbkdf2_hmac("sha256", b"device-secret", b"doppel-salt-0001", 1000)
        let hash = try PasswordHash(encoded: "$pbkdf2-sha256$1000$ZG9wcGVsLXNhbHQtMDAwMQ$yBoZNhmJWhMrALVZGplWMffpBXMr3x3zMdzSzRF03RI")
        #expect(hash.verifies(Array("device-secret".utf8)))
        #expect(!hash.verifies(Array("device-secreT".utf8)))
    }

    @Test(arguments: [
        ("pbkdf2-sha256$1000$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", PasswordHash.Problem.notInFormat),
        ("$pbkdf2-sha256$1000$c2FsdHNhbHQ", .notInFormat),
        ("$sha512$1000$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", .unknownScheme("sha512")),
        ("$pbkdf2-sha256$999$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", .badIterations("999")),
        ("$pbkdf2-sha256$many$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", .badIterations("many")),
        ("$pbkdf2-sha256$1000$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5", .badSalt),
        ("$pbkdf2-sha256$1000$not base64!$a2V5a2V5a2V5a2V5a2V5a2V5", .badSalt),
        ("$pbkdf2-sha256$1000$c2FsdHNhbHQ$a2V5", .badKey),
        ("$pbkdf2-sha256$1000$c2FsdHNhbHQ$", .badKey),
    ])
    func refusesMalformedHashes(encoded: String, problem: PasswordHash.Problem) {
        #expect(throws: problem) { try PasswordHash(encoded: encoded) }
    }

    @Test func constantTimeComparisonComparesWholeArrays() {
        #expect(PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PasswordHash.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!PasswordHash.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
