import Foundation
import TwinModel

/// How grave an alert is, lowest first.
public enum AlertSeverity: String, Sendable, CaseIterable, Comparable {
    case info, warning, minor, major, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A streaming rule, as `PUT /v1/rules/{id}` takes it (DESIGN.md's format): the twins its `scope` query
/// selects are watched; when a level's condition holds for `for`, an alert is raised at that level's
/// severity (the highest level that holds, as the ladder escalates and de-escalates); the alert clears when
/// `clear.condition` holds, or when no level has held for `clear.quietFor`, or — with neither — as soon as
/// no level holds.
public struct Rule: Sendable {
    public struct Level: Sendable {
        public var condition: RuleCondition
        public var severity: AlertSeverity
    }

    public enum Action: Sendable, Equatable {
        /// Raise and clear an alert (`GET /v1/alerts`); implied when no action is given.
        case alert
        /// Publish the alert's JSON on an MQTT topic at each change (raised, escalated, cleared).
        case publish(topic: String, qos: Int)
        /// Merge a patch into the twin's desired state when the alert is raised.
        case setDesired(JSONObject)
        /// Queue a command for the twin's device when the alert is raised.
        case command(name: String, payload: JSONValue)
        /// POST the alert's JSON to a URL at each change.
        case webhook(URL)
    }

    public var id: String
    public var scope: String
    /// Highest severity first.
    public var levels: [Level]
    /// Milliseconds a level must hold before the alert is raised.
    public var holdFor: Int64
    public var clearCondition: RuleCondition?
    public var quietFor: Int64?
    public var actions: [Action]
    public var enabled: Bool
    /// The document as given, for `GET`.
    public var document: JSONObject

    /// Every metric and window the conditions read.
    public var operands: Set<RuleOperand> {
        var all = Set<RuleOperand>()
        for level in levels { all.formUnion(level.condition.operands) }
        if let clearCondition { all.formUnion(clearCondition.operands) }
        return all
    }
}

/// Why a rule document is refused: the member it concerns (`condition`, `actions[2].url`) and the reason.
public struct RuleError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

extension Rule {
    static let members: Set<String> = ["scope", "condition", "for", "severity", "ladder", "clear", "actions", "enabled", "description"]
    public static let maximumActions = 10

    /// Reads and checks a rule document; every error names the member at fault.
    public static func parse(id: String, document: JSONObject) throws(RuleError) -> Rule {
        for key in document.keys where !members.contains(key) {
            throw RuleError(path: key, reason: "unknown member; a rule has \(members.sorted().joined(separator: ", "))")
        }
        guard case .string(let scope)? = document["scope"], !scope.isEmpty else {
            throw RuleError(path: "scope", reason: "required: a graph query selecting the twins to watch")
        }
        var levels = [Level(condition: try condition(document["condition"], at: "condition"), severity: try severity(document["severity"], at: "severity"))]
        if let ladder = document["ladder"] {
            guard case .array(let steps) = ladder else { throw RuleError(path: "ladder", reason: "must be an array of {condition, severity}") }
            for (index, step) in steps.enumerated() {
                let path = "ladder[\(index)]"
                guard case .object(let object) = step else { throw RuleError(path: path, reason: "must be an object {condition, severity}") }
                for key in object.keys where key != "condition" && key != "severity" {
                    throw RuleError(path: "\(path).\(key)", reason: "unknown member; a ladder step has condition and severity")
                }
                let level = Level(
                    condition: try condition(object["condition"], at: "\(path).condition"), severity: try severity(object["severity"], at: "\(path).severity"))
                guard !levels.contains(where: { $0.severity == level.severity }) else {
                    throw RuleError(path: "\(path).severity", reason: "\(level.severity.rawValue) is already a level of this rule")
                }
                levels.append(level)
            }
        }
        levels.sort { $0.severity > $1.severity }
        let holdFor = try duration(document["for"], at: "for") ?? 0
        var clearCondition: RuleCondition?
        var quietFor: Int64?
        if let clear = document["clear"] {
            guard case .object(let object) = clear else { throw RuleError(path: "clear", reason: "must be an object {condition?, quietFor?}") }
            for key in object.keys where key != "condition" && key != "quietFor" {
                throw RuleError(path: "clear.\(key)", reason: "unknown member; clear has condition and quietFor")
            }
            if object["condition"] != nil { clearCondition = try condition(object["condition"], at: "clear.condition") }
            quietFor = try duration(object["quietFor"], at: "clear.quietFor")
            guard clearCondition != nil || quietFor != nil else { throw RuleError(path: "clear", reason: "give condition, quietFor or both") }
        }
        var enabled = true
        if let value = document["enabled"] {
            guard case .bool(let flag) = value else { throw RuleError(path: "enabled", reason: "must be true or false") }
            enabled = flag
        }
        return Rule(
            id: id, scope: scope, levels: levels, holdFor: holdFor, clearCondition: clearCondition, quietFor: quietFor,
            actions: try actions(document["actions"]), enabled: enabled, document: document)
    }

    private static func condition(_ value: JSONValue?, at path: String) throws(RuleError) -> RuleCondition {
        guard case .string(let text)? = value else { throw RuleError(path: path, reason: "required: a condition such as temperature > 30") }
        do {
            return try RuleConditionParser.parse(text)
        } catch {
            throw RuleError(path: path, reason: error.description)
        }
    }

    private static func severity(_ value: JSONValue?, at path: String) throws(RuleError) -> AlertSeverity {
        guard let value else { return .warning }
        guard case .string(let text) = value, let severity = AlertSeverity(rawValue: text) else {
            throw RuleError(path: path, reason: "must be one of \(AlertSeverity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return severity
    }

    private static func duration(_ value: JSONValue?, at path: String) throws(RuleError) -> Int64? {
        guard let value else { return nil }
        guard case .string(let text) = value, let milliseconds = DurationText.milliseconds(text) else {
            throw RuleError(path: path, reason: "must be a duration such as 30s, 5m or 1h")
        }
        return milliseconds
    }

    private static func actions(_ value: JSONValue?) throws(RuleError) -> [Action] {
        guard let value else { return [.alert] }
        guard case .array(let items) = value, !items.isEmpty, items.count <= maximumActions else {
            throw RuleError(path: "actions", reason: "must be an array of 1 to \(maximumActions) actions")
        }
        var actions: [Action] = []
        for (index, item) in items.enumerated() {
            let path = "actions[\(index)]"
            guard case .object(let object) = item, case .string(let type)? = object["type"] else {
                throw RuleError(path: path, reason: "must be an object with a type: alert, publish, setDesired, command or webhook")
            }
            func allow(_ members: Set<String>) throws(RuleError) {
                for key in object.keys where key != "type" && !members.contains(key) {
                    throw RuleError(path: "\(path).\(key)", reason: "unknown member of a \(type) action")
                }
            }
            switch type {
            case "alert":
                try allow([])
                actions.append(.alert)
            case "publish":
                try allow(["topic", "qos"])
                guard case .string(let topic)? = object["topic"], (try? validateTopic(topic)) != nil else {
                    throw RuleError(path: "\(path).topic", reason: "must be an MQTT topic name without wildcards")
                }
                var qos = 1
                if let value = object["qos"] {
                    guard case .int(let level) = value, (0...1).contains(level) else { throw RuleError(path: "\(path).qos", reason: "must be 0 or 1") }
                    qos = Int(level)
                }
                actions.append(.publish(topic: topic, qos: qos))
            case "setDesired":
                try allow(["patch"])
                guard case .object(let patch)? = object["patch"], !patch.isEmpty else {
                    throw RuleError(path: "\(path).patch", reason: "must be a non-empty merge patch of desired")
                }
                actions.append(.setDesired(patch))
            case "command":
                try allow(["name", "payload"])
                guard case .string(let name)? = object["name"], !name.isEmpty, !name.contains(where: { "/+#?".contains($0) }) else {
                    throw RuleError(path: "\(path).name", reason: "must be a command name without /, +, # or ?")
                }
                actions.append(.command(name: name, payload: object["payload"] ?? .null))
            case "webhook":
                try allow(["url"])
                guard case .string(let text)? = object["url"], let url = URL(string: text), url.scheme == "http" || url.scheme == "https",
                    url.host != nil
                else { throw RuleError(path: "\(path).url", reason: "must be an http or https URL") }
                actions.append(.webhook(url))
            default:
                throw RuleError(path: "\(path).type", reason: "unknown action \"\(type)\"; use alert, publish, setDesired, command or webhook")
            }
        }
        if !actions.contains(.alert) { actions.insert(.alert, at: 0) }
        return actions
    }

    private static func validateTopic(_ topic: String) throws {
        guard !topic.isEmpty, !topic.contains("+"), !topic.contains("#"), !topic.hasPrefix("$"), topic.utf8.count <= 1024 else {
            throw RuleError(path: "topic", reason: "invalid")
        }
    }
}
