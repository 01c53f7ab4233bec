/// A request topic of the AWS IoT Device Shadow dialect: `$aws/things/{thing}/shadow/{get|update|delete}`
/// (the classic shadow) or `$aws/things/{thing}/shadow/name/{shadow}/{get|update|delete}` (a named one).
public struct ShadowTopic: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable {
        case get, update, delete
    }

    /// AWS limits: thing names ≤ 128 bytes; shadow names `[a-zA-Z0-9:_-]{1,64}`.
    static let maximumThingNameBytes = 128
    static let maximumShadowNameBytes = 64

    public var thing: String
    /// `nil` for the classic shadow.
    public var shadowName: String?
    public var operation: Operation

    public init(thing: String, shadowName: String? = nil, operation: Operation) {
        self.thing = thing
        self.shadowName = shadowName
        self.operation = operation
    }

    /// Parses a request topic; `nil` for replies (`…/accepted`, `…/delta`…), other topics and invalid names.
    public init?(_ topic: String) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count >= 5, levels[0] == "$aws", levels[1] == "things", levels[3] == "shadow",
            !levels[2].isEmpty, levels[2].utf8.count <= Self.maximumThingNameBytes
        else { return nil }
        var rest = levels[4...]
        var shadowName: String?
        if rest.first == "name" {
            guard rest.count == 3, Self.isValidShadowName(rest[rest.startIndex + 1]) else { return nil }
            shadowName = String(rest[rest.startIndex + 1])
            rest = rest.dropFirst(2)
        }
        guard rest.count == 1, let operation = Operation(rawValue: String(rest[rest.startIndex])) else { return nil }
        self.init(thing: String(levels[2]), shadowName: shadowName, operation: operation)
    }

    static func isValidShadowName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maximumShadowNameBytes else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    /// `$aws/things/{thing}/`, the start of every AWS topic of one thing.
    public static func thingPrefix(_ thing: String) -> String {
        "$aws/things/\(thing)/"
    }

    /// `$aws/things/{thing}/shadow` or `$aws/things/{thing}/shadow/name/{shadow}`.
    public static func shadowPrefix(thing: String, shadowName: String?) -> String {
        thingPrefix(thing) + "shadow" + (shadowName.map { "/name/\($0)" } ?? "")
    }

    /// The topic of a reply to this request: `suffix` is `accepted` or `rejected`.
    public func reply(_ suffix: String) -> String {
        Self.shadowPrefix(thing: thing, shadowName: shadowName) + "/\(operation.rawValue)/\(suffix)"
    }

    /// The twin that holds this shadow: the thing's own twin for the classic shadow, `{thing}.shadow.{name}`
    /// for a named one.
    public var twinID: String {
        Self.twinID(thing: thing, shadowName: shadowName)
    }

    static let namedShadowInfix = ".shadow."

    public static func twinID(thing: String, shadowName: String?) -> String {
        shadowName.map { thing + namedShadowInfix + $0 } ?? thing
    }

    /// The thing and shadow a twin id stands for (the inverse of ``twinID``).
    public static func shadow(ofTwin id: String) -> (thing: String, shadowName: String?) {
        guard let infix = id.ranges(of: namedShadowInfix).last else { return (id, nil) }
        let name = id[infix.upperBound...]
        guard isValidShadowName(name), infix.lowerBound != id.startIndex else { return (id, nil) }
        return (String(id[..<infix.lowerBound]), String(name))
    }
}
