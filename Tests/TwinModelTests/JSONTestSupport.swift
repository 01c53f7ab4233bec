import OrderedCollections
import PropertyBased
import TwinModel

/// Random JSON values for property tests: bounded depth, few keys from a tiny alphabet so that
/// patches and documents collide on member names, and every value kind.
enum JSONGen {
    /// Member names: short, from a small alphabet, all valid twin keys.
    static let keys = ["a", "b", "c", "d", "ab"]

    /// Strings that exercise the encoder's escaping and multi-byte UTF-8.
    static let strings = ["", "x", "hello", "quote\"d", "back\\slash", "line\nfeed", "tab\t", "\u{01}ctl", "é", "日本", "😀", "del\u{7F}", "/"]

    /// Doubles that are not integral, integral, tiny, huge and negative zero.
    static let doubles: [Double] = [0.5, -2.25, 1.0, 100.0, 1e-7, 1.5e300, -0.0, 3.141592653589793, .leastNonzeroMagnitude, 1e16]

    /// A JSON object (the shape of a twin section or a merge patch).
    ///
    /// - Parameters:
    ///   - depth: how many object levels may still be nested below this one.
    ///   - nulls: whether `null` may appear as a member value (merge patches) or not (documents).
    static func object(depth: Int = 3, nulls: Bool = false) -> Generator<JSONObject, [JSONObject]> {
        Generator(
            run: { rng in randomObject(depth: depth, nulls: nulls, using: &rng) },
            shrink: { object in shrinks(of: .object(object)).compactMap(\.objectValue) }
        )
    }

    /// Any JSON value, the top level included.
    static func value(depth: Int = 3, nulls: Bool = true) -> Generator<JSONValue, [JSONValue]> {
        Generator(
            run: { rng in randomValue(depth: depth, nulls: nulls, using: &rng) },
            shrink: { shrinks(of: $0) }
        )
    }

    static func randomObject(depth: Int, nulls: Bool, using rng: inout some RandomNumberGenerator) -> JSONObject {
        var object = JSONObject()
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            object[keys.randomElement(using: &rng)!] = randomValue(depth: depth - 1, nulls: nulls, using: &rng)
        }
        return object
    }

    static func randomValue(depth: Int, nulls: Bool, using rng: inout some RandomNumberGenerator) -> JSONValue {
        let kinds = depth > 0 ? 8 : 6
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return nulls ? .null : .bool(false)
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            return .int(Bool.random(using: &rng) ? Int64.random(in: -5...5, using: &rng) : Int64.random(in: .min ... .max, using: &rng))
        case 3:
            return .double(Bool.random(using: &rng) ? doubles.randomElement(using: &rng)! : Double.random(in: -1e6...1e6, using: &rng))
        case 4, 5: return .string(strings.randomElement(using: &rng)!)
        case 6:
            // Arrays hold documents of any kind; `null` elements are not member values, so always allowed.
            let count = Int.random(in: 0...3, using: &rng)
            return .array((0..<count).map { _ in randomValue(depth: depth - 1, nulls: true, using: &rng) })
        default: return .object(randomObject(depth: depth, nulls: nulls, using: &rng))
        }
    }

    /// Simpler variants of a value: members or elements dropped, children simplified, scalars zeroed.
    static func shrinks(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .object(let object):
            var result: [JSONValue] = []
            for key in object.keys {
                var smaller = object
                smaller.removeValue(forKey: key)
                result.append(.object(smaller))
            }
            for (key, member) in object {
                for shrunk in shrinks(of: member).prefix(3) {
                    var smaller = object
                    smaller[key] = shrunk
                    result.append(.object(smaller))
                }
            }
            return result
        case .array(let elements):
            var result: [JSONValue] = elements.indices.map { index in
                var smaller = elements
                smaller.remove(at: index)
                return .array(smaller)
            }
            for (index, element) in elements.enumerated() {
                for shrunk in shrinks(of: element).prefix(3) {
                    var smaller = elements
                    smaller[index] = shrunk
                    result.append(.array(smaller))
                }
            }
            return result
        case .int(let value): return value == 0 ? [] : [.int(0)]
        case .double(let value): return value == 0 ? [.int(0)] : [.double(0), .int(0)]
        case .string(let value): return value.isEmpty ? [] : [.string("")]
        case .bool(let value): return value ? [.bool(false)] : []
        case .null: return []
        }
    }
}

extension JSONValue {
    /// Whether `null` appears anywhere: as a member value or an array element.
    var containsNull: Bool {
        switch self {
        case .null: true
        case .array(let elements): elements.contains { $0.containsNull }
        case .object(let object): object.values.contains { $0.containsNull }
        default: false
        }
    }
}

/// Parses JSON text that the test itself wrote; a syntax error fails the test.
func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

/// Parses JSON text that must be an object.
func jsonObject(_ text: String) throws -> JSONObject {
    let value = try JSONParser().parse(text)
    guard case .object(let object) = value else { throw NotAnObject(text: text) }
    return object
}

struct NotAnObject: Error {
    var text: String
}
