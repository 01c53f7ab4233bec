import Foundation

/// An IoT Hub shared access signature as a device presents it in the MQTT password:
/// `SharedAccessSignature sr={url-encoded resource}&sig={url-encoded base64 HMAC-SHA256}&se={expiry}[&skn={policy}]`.
///
/// The signature covers `{url-encoded sr}\n{se}`. Parsing only reads the token; whether the signature is one
/// of the device's keys is the registry's to say (`TwinStore.verifyDeviceSASSignature`).
public struct SASToken: Sendable, Hashable {
    /// The resource, url-decoded: `{host}/devices/{deviceId}` for a device token.
    public var resource: String
    /// The signature, base64- and url-decoded.
    public var signature: [UInt8]
    /// Seconds since 1970 after which the token is no longer valid.
    public var expiry: Int64
    /// The shared access policy, for service tokens; devices sign with their own key and leave it out.
    public var keyName: String?

    static let scheme = "SharedAccessSignature "

    /// Parses a token; `nil` when it is not one (wrong scheme, a field missing or repeated, an expiry that
    /// is not a number, a signature that is not base64). Field order does not matter; unknown fields are
    /// ignored.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.scheme) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.dropFirst(Self.scheme.count).split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let key = String(pair[..<equals])
            guard fields[key] == nil, let value = String(pair[pair.index(after: equals)...]).removingPercentEncoding else {
                return nil
            }
            fields[key] = value
        }
        guard let resource = fields["sr"], !resource.isEmpty, let sig = fields["sig"],
            let signature = Data(base64Encoded: sig), !signature.isEmpty, let se = fields["se"], let expiry = Int64(se)
        else { return nil }
        self.resource = resource
        self.signature = Array(signature)
        self.expiry = expiry
        self.keyName = fields["skn"]
    }

    /// What the signature signs: the resource url-encoded as the SDKs encode it (every byte but the RFC 3986
    /// unreserved characters), a newline, the expiry.
    public var signedString: String {
        Self.urlEncoded(resource) + "\n" + String(expiry)
    }

    /// Whether the token has expired at `now` (seconds since 1970).
    public func isExpired(at now: Int64) -> Bool {
        expiry <= now
    }

    /// Whether the token grants access to device `deviceID` of hub `host`: the resource is
    /// `{host}/devices/{deviceId}` (host compared without regard to case, a trailing `/` allowed).
    public func grants(device deviceID: String, host: String) -> Bool {
        var resource = Substring(resource)
        if resource.hasSuffix("/") { resource = resource.dropLast() }
        let expected = "/devices/" + deviceID
        guard resource.hasSuffix(expected) else { return false }
        return resource.dropLast(expected.count).lowercased() == host.lowercased()
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func urlEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
