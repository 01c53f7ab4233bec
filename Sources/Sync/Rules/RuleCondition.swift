import TwinModel

/// A rule's condition: comparisons of telemetry metrics, window functions over them and twin properties,
/// joined by `AND`, `OR` and `NOT` — `avg(temperature, 5m) > 30 OR max(humidity, 1m) > 90`,
/// `temperature > 28 AND reported.mode = 'auto'`.
public indirect enum RuleCondition: Sendable, Equatable {
    case comparison(RuleOperand, RuleComparison, RuleOperand)
    case and(RuleCondition, RuleCondition)
    case or(RuleCondition, RuleCondition)
    case not(RuleCondition)

    /// Every operand, for collecting what the condition reads.
    var operands: [RuleOperand] {
        switch self {
        case .comparison(let left, _, let right): [left, right]
        case .and(let left, let right), .or(let left, let right): left.operands + right.operands
        case .not(let inner): inner.operands
        }
    }
}

public enum RuleComparison: String, Sendable, Equatable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "=", notEqual = "!="
}

/// What a comparison reads.
public enum RuleOperand: Sendable, Equatable, Hashable {
    case literal(JSONValue)
    /// The latest value of a telemetry metric (`temperature`, `energy.kwh`).
    case metric(String)
    /// A member of a twin section: `reported.mode`, `desired.setpoint`, `properties.name`, `tags.zone`.
    case property(section: TwinSection.Kind, path: [String])
    /// A window function over a metric.
    case window(RuleWindowFunction, metric: String, milliseconds: Int64, tumbling: Bool)
}

public enum RuleWindowFunction: String, Sendable, Equatable, Hashable, CaseIterable {
    case avg, min, max, count
    /// The metric's change per second over the window: (last − first) / seconds between them.
    case rate
}

/// A condition that does not parse: where (1-based column) and why.
public struct RuleConditionError: Error, Equatable, CustomStringConvertible {
    public var column: Int
    public var reason: String

    public var description: String { "at column \(column): \(reason)" }
}

/// Parses condition text; at most 50 comparisons and 1,000 characters.
public struct RuleConditionParser {
    static let maximumLength = 1_000
    static let maximumComparisons = 50

    private enum Token: Equatable {
        case identifier(String), number(Double), string(String), duration(Int64), comparison(RuleComparison)
        case open, close, comma, end
    }

    private var tokens: [(token: Token, column: Int)] = []
    private var position = 0
    private var comparisons = 0

    public init() {}

    public static func parse(_ text: String) throws(RuleConditionError) -> RuleCondition {
        var parser = RuleConditionParser()
        guard text.count <= maximumLength else { throw RuleConditionError(column: maximumLength, reason: "longer than \(maximumLength) characters") }
        try parser.tokenize(text)
        let condition = try parser.parseOr()
        guard parser.current.token == .end else { throw parser.error("unexpected \(parser.describe(parser.current.token))") }
        return condition
    }

    private var current: (token: Token, column: Int) { tokens[position] }

    private func error(_ reason: String) -> RuleConditionError {
        RuleConditionError(column: current.column, reason: reason)
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let name): "'\(name)'"
        case .number(let value): "\(value)"
        case .string(let text): "'\(text)'"
        case .duration: "a duration"
        case .comparison(let op): "'\(op.rawValue)'"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        case .end: "the end of the condition"
        }
    }

    private mutating func tokenize(_ text: String) throws(RuleConditionError) {
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character.isWhitespace {
                index += 1
                continue
            }
            switch character {
            case "(": tokens.append((.open, column)); index += 1
            case ")": tokens.append((.close, column)); index += 1
            case ",": tokens.append((.comma, column)); index += 1
            case ">", "<", "=", "!":
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                let pair = String([character, next])
                if let op = RuleComparison(rawValue: pair) {
                    tokens.append((.comparison(op), column))
                    index += 2
                } else if pair == "==" {
                    tokens.append((.comparison(.equal), column))
                    index += 2
                } else if pair == "<>" {
                    tokens.append((.comparison(.notEqual), column))
                    index += 2
                } else if let op = RuleComparison(rawValue: String(character)) {
                    tokens.append((.comparison(op), column))
                    index += 1
                } else {
                    throw RuleConditionError(column: column, reason: "'!' must be followed by '='")
                }
            case "'", "\"":
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                guard end < characters.count else { throw RuleConditionError(column: column, reason: "unterminated string") }
                tokens.append((.string(String(characters[(index + 1)..<end])), column))
                index = end + 1
            default:
                if character.isNumber || (character == "-" && index + 1 < characters.count && characters[index + 1].isNumber) {
                    var end = index + 1
                    while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                    var unitEnd = end
                    while unitEnd < characters.count, characters[unitEnd].isLetter { unitEnd += 1 }
                    let number = String(characters[index..<end])
                    if unitEnd > end {
                        let text = number + String(characters[end..<unitEnd])
                        guard let milliseconds = DurationText.milliseconds(text) else {
                            throw RuleConditionError(column: column, reason: "'\(text)' is no duration (30s, 5m, 1h, 1d)")
                        }
                        tokens.append((.duration(milliseconds), column))
                    } else {
                        guard let value = Double(number) else { throw RuleConditionError(column: column, reason: "'\(number)' is no number") }
                        tokens.append((.number(value), column))
                    }
                    index = unitEnd
                } else if character.isLetter || character == "_" || character == "$" {
                    var end = index + 1
                    while end < characters.count, characters[end].isLetter || characters[end].isNumber || "_.$-".contains(characters[end]) {
                        end += 1
                    }
                    tokens.append((.identifier(String(characters[index..<end])), column))
                    index = end
                } else {
                    throw RuleConditionError(column: column, reason: "unexpected '\(character)'")
                }
            }
        }
        tokens.append((.end, characters.count + 1))
    }

    private mutating func keyword(_ word: String) -> Bool {
        if case .identifier(let name) = current.token, name.uppercased() == word {
            position += 1
            return true
        }
        return false
    }

    private mutating func parseOr() throws(RuleConditionError) -> RuleCondition {
        var condition = try parseAnd()
        while keyword("OR") { condition = .or(condition, try parseAnd()) }
        return condition
    }

    private mutating func parseAnd() throws(RuleConditionError) -> RuleCondition {
        var condition = try parseNot()
        while keyword("AND") { condition = .and(condition, try parseNot()) }
        return condition
    }

    private mutating func parseNot() throws(RuleConditionError) -> RuleCondition {
        if keyword("NOT") { return .not(try parseNot()) }
        if current.token == .open {
            // A parenthesised condition, unless it is the start of a comparison's operand (which never is).
            position += 1
            let inner = try parseOr()
            guard current.token == .close else { throw error("expected ')'") }
            position += 1
            return inner
        }
        let left = try parseOperand()
        guard case .comparison(let op) = current.token else { throw error("expected a comparison (>, >=, <, <=, =, !=) after the operand") }
        position += 1
        let right = try parseOperand()
        comparisons += 1
        guard comparisons <= Self.maximumComparisons else { throw error("more than \(Self.maximumComparisons) comparisons") }
        return .comparison(left, op, right)
    }

    private mutating func parseOperand() throws(RuleConditionError) -> RuleOperand {
        let (token, column) = current
        switch token {
        case .number(let value):
            position += 1
            return .literal(value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value))
        case .string(let text):
            position += 1
            return .literal(.string(text))
        case .identifier(let name):
            position += 1
            switch name.lowercased() {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            default: break
            }
            if current.token == .open {
                guard let function = RuleWindowFunction(rawValue: name.lowercased()) else {
                    throw RuleConditionError(column: column, reason: "unknown function '\(name)'; windows are avg, min, max, count and rate")
                }
                return try parseWindow(function)
            }
            return try Self.path(name, column: column)
        default:
            throw error("expected a metric, a property, a window function or a value, found \(describe(token))")
        }
    }

    private mutating func parseWindow(_ function: RuleWindowFunction) throws(RuleConditionError) -> RuleOperand {
        position += 1  // (
        guard case .identifier(let metric) = current.token else { throw error("\(function.rawValue)() takes a metric first") }
        position += 1
        guard current.token == .comma else { throw error("expected ',' and a window such as 5m") }
        position += 1
        guard case .duration(let milliseconds) = current.token else { throw error("expected a window such as 30s, 5m or 1h") }
        position += 1
        var tumbling = false
        if current.token == .comma {
            position += 1
            guard keyword("TUMBLING") || keyword("SLIDING") else { throw error("the third argument is tumbling or sliding") }
            if case .identifier(let word) = tokens[position - 1].token { tumbling = word.uppercased() == "TUMBLING" }
        }
        guard current.token == .close else { throw error("expected ')'") }
        position += 1
        return .window(function, metric: metric, milliseconds: milliseconds, tumbling: tumbling)
    }

    /// `reported.mode` and the other sections; anything else names a telemetry metric.
    private static func path(_ name: String, column: Int) throws(RuleConditionError) -> RuleOperand {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw RuleConditionError(column: column, reason: "'\(name)' has an empty member") }
        if parts.count > 1, let section = TwinSection.Kind(rawValue: parts[0]) {
            return .property(section: section, path: Array(parts.dropFirst()))
        }
        return .metric(name)
    }
}
