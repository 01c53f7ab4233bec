/// The rules for the ids callers choose: tenants, twins, relationships.
enum Identifiers {
    static let maximumTwinIDBytes = 256
    static let maximumTenantIDBytes = 64

    /// Tenants appear in MQTT topics and file paths: lowercase letters, digits, `-` and `_`.
    static func validateTenant(_ id: String) throws(TwinModelError) {
        guard !id.isEmpty, id.utf8.count <= maximumTenantIDBytes else {
            throw .invalidIdentifier(kind: "tenant", id: id, reason: "must be 1 to \(maximumTenantIDBytes) bytes")
        }
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                throw .invalidIdentifier(kind: "tenant", id: id, reason: "may contain only a-z, 0-9, '-' and '_'")
            }
        }
    }

    /// Twin and relationship ids appear in MQTT topics and URL paths: no `/`, `+`, `#`, white space or controls.
    static func validate(_ id: String, kind: String) throws(TwinModelError) {
        guard !id.isEmpty, id.utf8.count <= maximumTwinIDBytes else {
            throw .invalidIdentifier(kind: kind, id: id, reason: "must be 1 to \(maximumTwinIDBytes) bytes")
        }
        for byte in id.utf8 {
            switch byte {
            case 0...0x20, 0x7F, UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "#"):
                throw .invalidIdentifier(kind: kind, id: id, reason: "may not contain '/', '+', '#', spaces or control characters")
            default:
                continue
            }
        }
    }
}
