import TwinModel

/// One rule watching one twin: the state machine from quiet through pending (a level holds, waiting out
/// `for`) to an open alert, whose severity follows the highest level that holds, until the clear rule
/// closes it.
struct RuleWatch {
    enum Decision: Equatable {
        case raise(AlertSeverity)
        case clear
    }

    /// Since when a level has held without a break, while no alert is open.
    var pendingSince: Int64?
    /// The open alert's severity.
    var active: AlertSeverity?
    /// The last time any level held.
    var lastHeldAt: Int64?
    /// Since when the clear condition has held, while an alert is open.
    var clearSince: Int64?

    /// One evaluation at `now`: `held` is the highest level whose condition holds, `clearHolds` whether the
    /// rule's clear condition does.
    mutating func step(held: AlertSeverity?, clearHolds: Bool, rule: Rule, now: Int64) -> Decision? {
        if held != nil { lastHeldAt = now }
        guard let current = active else {
            guard let held else {
                pendingSince = nil
                return nil
            }
            let since = pendingSince ?? now
            pendingSince = since
            guard now - since >= rule.holdFor else { return nil }
            active = held
            pendingSince = nil
            clearSince = nil
            return .raise(held)
        }
        if let held, held != current {
            active = held
            return .raise(held)
        }
        let clears: Bool
        if rule.clearCondition != nil {
            // Hysteresis: only the clear condition closes the alert, held for quietFor when given.
            if clearHolds {
                let since = clearSince ?? now
                clearSince = since
                clears = now - since >= (rule.quietFor ?? 0)
            } else {
                clearSince = nil
                clears = false
            }
        } else if let quiet = rule.quietFor {
            clears = held == nil && now - (lastHeldAt ?? now) >= quiet
            if lastHeldAt == nil { lastHeldAt = now }
        } else {
            clears = held == nil
        }
        guard clears else { return nil }
        active = nil
        clearSince = nil
        pendingSince = nil
        return .clear
    }

    /// Whether time alone can change it, so the timer must look at it: pending, or open.
    var isTimed: Bool { pendingSince != nil || active != nil }
}

extension RuleCondition {
    /// Whether the condition holds with these values; a comparison with a value missing, or of types that do
    /// not compare, does not hold.
    func holds(_ value: (RuleOperand) -> JSONValue?) -> Bool {
        switch self {
        case .and(let left, let right): left.holds(value) && right.holds(value)
        case .or(let left, let right): left.holds(value) || right.holds(value)
        case .not(let inner): !inner.holds(value)
        case .comparison(let left, let op, let right):
            Self.compare(value(left), op, value(right))
        }
    }

    static func compare(_ left: JSONValue?, _ op: RuleComparison, _ right: JSONValue?) -> Bool {
        guard let left, let right else { return false }
        if let a = left.doubleValue, let b = right.doubleValue, left.isNumber, right.isNumber { return order(a, op, b) }
        switch (left, right) {
        case (.string(let a), .string(let b)): return order(a, op, b)
        case (.bool(let a), .bool(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            default: return false
            }
        default:
            return false
        }
    }

    private static func order<T: Comparable>(_ a: T, _ op: RuleComparison, _ b: T) -> Bool {
        switch op {
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .equal: a == b
        case .notEqual: a != b
        }
    }
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}
