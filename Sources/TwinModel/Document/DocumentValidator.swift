import OrderedCollections

/// Checks a section's patch against `DocumentLimits` before it is applied.
///
/// Paths in errors are the section name followed by member names, e.g. `desired.hvac.setpoint`.
public struct DocumentValidator: Sendable {
    public var limits: DocumentLimits

    public init(limits: DocumentLimits) {
        self.limits = limits
    }

    /// Validates member names, nesting and string lengths of a patch to section `section`.
    ///
    /// `keyRules` is false for ADT-style properties, whose names follow DTDL rather than IoT Hub.
    public func validate(patch: JSONObject, section: String, keyRules: Bool = true) throws(TwinModelError) {
        try validate(object: patch, path: section, depth: 1, keyRules: keyRules)
    }

    private func validate(object: JSONObject, path: String, depth: Int, keyRules: Bool) throws(TwinModelError) {
        guard depth <= limits.maximumDepth else { throw .tooDeep(path: path, limit: limits.maximumDepth) }
        for (key, value) in object {
            let childPath = path + "." + key
            if keyRules { try validate(key: key, path: childPath) }
            try validate(value: value, path: childPath, depth: depth, keyRules: keyRules)
        }
    }

    private func validate(value: JSONValue, path: String, depth: Int, keyRules: Bool) throws(TwinModelError) {
        switch value {
        case .object(let object):
            try validate(object: object, path: path, depth: depth + 1, keyRules: keyRules)
        case .array(let elements):
            guard depth + 1 <= limits.maximumDepth else { throw .tooDeep(path: path, limit: limits.maximumDepth) }
            for (index, element) in elements.enumerated() {
                try validate(value: element, path: "\(path)[\(index)]", depth: depth + 1, keyRules: keyRules)
            }
        case .string(let string):
            let bytes = string.utf8.count
            if bytes > limits.maximumStringBytes {
                throw .stringTooLong(path: path, bytes: bytes, limit: limits.maximumStringBytes)
            }
        default:
            break
        }
    }

    private func validate(key: String, path: String) throws(TwinModelError) {
        if key.isEmpty { throw .invalidKey(path: path, reason: "member names may not be empty") }
        if key.utf8.count > limits.maximumKeyBytes {
            throw .invalidKey(path: path, reason: "member name is \(key.utf8.count) bytes; the limit is \(limits.maximumKeyBytes)")
        }
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "$"), UInt8(ascii: " "):
                throw .invalidKey(path: path, reason: "member names may not contain '\(Character(UnicodeScalar(byte)))'")
            case 0..<0x20, 0x7F:
                throw .invalidKey(path: path, reason: "member names may not contain control characters")
            default:
                continue
            }
        }
        // C1 controls (U+0080–U+009F) are two UTF-8 bytes, so they are checked as scalars.
        if key.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) {
            throw .invalidKey(path: path, reason: "member names may not contain control characters")
        }
    }
}

extension JSONValue {
    /// The length of `encoded()` without building it.
    public var encodedByteCount: Int {
        switch self {
        case .null: 4
        case .bool(let value): value ? 4 : 5
        case .int(let value): value == 0 ? 1 : (value < 0 ? 1 : 0) + Self.decimalDigits(value.magnitude)
        case .double(let value): value.isFinite ? value.description.utf8.count : 4
        case .string(let string): Self.encodedStringByteCount(string)
        case .array(let elements): 2 + max(0, elements.count - 1) + elements.reduce(0) { $0 + $1.encodedByteCount }
        case .object(let object): Self.encodedObjectByteCount(object)
        }
    }

    /// Whether `encodedByteCount` is over `limit`, stopping as soon as it is: safe on huge values.
    public func exceedsEncodedSize(_ limit: Int) -> Bool {
        var budget = limit
        return !fits(within: &budget)
    }

    private func fits(within budget: inout Int) -> Bool {
        switch self {
        case .array(let elements):
            budget -= 2 + max(0, elements.count - 1)
            for element in elements {
                if budget < 0 || !element.fits(within: &budget) { return false }
            }
        case .object(let object):
            budget -= 2 + max(0, object.count - 1)
            for (key, value) in object {
                budget -= Self.encodedStringByteCount(key) + 1
                if budget < 0 || !value.fits(within: &budget) { return false }
            }
        default:
            budget -= encodedByteCount
        }
        return budget >= 0
    }

    static func encodedObjectByteCount(_ object: JSONObject) -> Int {
        var total = 2 + max(0, object.count - 1)
        for (key, value) in object {
            total += encodedStringByteCount(key) + 1 + value.encodedByteCount
        }
        return total
    }

    private static func decimalDigits(_ value: UInt64) -> Int {
        var count = 0
        var remaining = value
        while remaining > 0 {
            count += 1
            remaining /= 10
        }
        return count
    }

    private static func encodedStringByteCount(_ string: String) -> Int {
        var total = 2
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09, 0x08, 0x0C: total += 2
            case 0..<0x20: total += 6
            default: total += 1
            }
        }
        return total
    }
}
