import Foundation

/// What a registration does to one credential of a device.
public enum CredentialChange<Value: Sendable & Hashable>: Sendable, Hashable {
    /// Leaves the stored value as it is (nothing, for a new device).
    case keep
    case set(Value)
    case remove
}

/// A device's shared access keys, base64 as IoT Hub shows them; kept as given because SAS tokens are
/// verified by signing with them.
public struct SASKeys: Sendable, Hashable {
    public var primary: String
    public var secondary: String?

    public init(primary: String, secondary: String? = nil) {
        self.primary = primary
        self.secondary = secondary
    }
}

/// The credential changes of a `registerDevice` call; every field keeps the stored value unless told otherwise.
public struct DeviceCredentials: Sendable, Hashable {
    /// The native MQTT password; stored only as a salted PBKDF2 hash.
    public var secret: CredentialChange<String>
    public var sasKeys: CredentialChange<SASKeys>
    /// SHA-1 or SHA-256 hex digests of DER certificates, any case; stored lowercase.
    public var x509Thumbprints: CredentialChange<[String]>

    public static let minimumSecretBytes = 8
    public static let maximumSecretBytes = 256
    public static let sasKeyBytes = 16...64
    public static let maximumThumbprints = 10

    public init(
        secret: CredentialChange<String> = .keep, sasKeys: CredentialChange<SASKeys> = .keep,
        x509Thumbprints: CredentialChange<[String]> = .keep
    ) {
        self.secret = secret
        self.sasKeys = sasKeys
        self.x509Thumbprints = x509Thumbprints
    }

    /// Checks every given credential; the error names the field as the HTTP body spells it.
    func validated() throws(TwinModelError) -> DeviceCredentials {
        var result = self
        if case .set(let secret) = secret {
            let bytes = secret.utf8.count
            guard (Self.minimumSecretBytes...Self.maximumSecretBytes).contains(bytes) else {
                throw .invalidCredential(
                    field: "secret", reason: "must be \(Self.minimumSecretBytes) to \(Self.maximumSecretBytes) bytes, found \(bytes)")
            }
        }
        if case .set(let keys) = sasKeys {
            try Self.checkSASKey(keys.primary, field: "sasKeys.primary")
            if let secondary = keys.secondary { try Self.checkSASKey(secondary, field: "sasKeys.secondary") }
        }
        if case .set(let thumbprints) = x509Thumbprints {
            guard thumbprints.count <= Self.maximumThumbprints else {
                throw .invalidCredential(field: "x509Thumbprints", reason: "may hold at most \(Self.maximumThumbprints), found \(thumbprints.count)")
            }
            var normalized: [String] = []
            for (index, thumbprint) in thumbprints.enumerated() {
                let lowercase = thumbprint.lowercased()
                guard [40, 64].contains(lowercase.utf8.count), lowercase.utf8.allSatisfy(Self.isHexDigit) else {
                    throw .invalidCredential(
                        field: "x509Thumbprints[\(index)]", reason: "is not a SHA-1 (40) or SHA-256 (64) hex digest")
                }
                if !normalized.contains(lowercase) { normalized.append(lowercase) }
            }
            result.x509Thumbprints = .set(normalized)
        }
        return result
    }

    /// Refuses a SAS key that is not base64 of 16 to 64 bytes.
    static func checkSASKey(_ key: String, field: String) throws(TwinModelError) {
        guard let bytes = Data(base64Encoded: key) else { throw .invalidCredential(field: field, reason: "is not base64") }
        guard sasKeyBytes.contains(bytes.count) else {
            throw .invalidCredential(
                field: field, reason: "must decode to \(sasKeyBytes.lowerBound) to \(sasKeyBytes.upperBound) bytes, found \(bytes.count)")
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
