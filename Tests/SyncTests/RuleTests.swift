import Testing
import TwinModel
@testable import Sync

@Suite("Rules: conditions, documents, windows and the alert state machine")
struct RuleTests {
    @Test func parsesConditionsWithWindowsPropertiesAndPrecedence() throws {
        let condition = try RuleConditionParser.parse("avg(temperature, 5m) > 30 OR max(humidity, 1m, tumbling) >= 90 AND reported.mode = 'auto'")
        #expect(
            condition
                == .or(
                    .comparison(.window(.avg, metric: "temperature", milliseconds: 300_000, tumbling: false), .greater, .literal(30)),
                    .and(
                        .comparison(.window(.max, metric: "humidity", milliseconds: 60_000, tumbling: true), .greaterOrEqual, .literal(90)),
                        .comparison(.property(section: .reported, path: ["mode"]), .equal, .literal("auto")))))
        #expect(try RuleConditionParser.parse("NOT (door = true)") == .not(.comparison(.metric("door"), .equal, .literal(true))))
        #expect(try RuleConditionParser.parse("energy.kwh != 2.5") == .comparison(.metric("energy.kwh"), .notEqual, .literal(.double(2.5))))
    }

    @Test(arguments: [
        ("temperature >", 14, "expected a metric"), ("temperature 30", 13, "expected a comparison"), ("avg(t, 5q) > 1", 8, "no duration"),
        ("median(t, 5m) > 1", 1, "unknown function"), ("(t > 1", 7, "expected ')'"), ("t > 'open", 5, "unterminated"), ("t ! 3", 3, "'!'"),
        ("t > 1 t", 7, "unexpected"),
    ])
    func pointsAtTheErrorsColumn(text: String, column: Int, reason: String) {
        #expect {
            _ = try RuleConditionParser.parse(text)
        } throws: { error in
            guard let error = error as? RuleConditionError else { return false }
            return error.column == column && error.reason.contains(reason)
        }
    }

    private func rule(_ document: JSONObject) throws -> Rule {
        var full = document
        full["scope"] = "SELECT T FROM DIGITALTWINS T"
        return try Rule.parse(id: "r", document: full)
    }

    @Test func documentsSortTheLadderAndImplyTheAlertAction() throws {
        let parsed = try rule([
            "condition": "t > 30", "severity": "critical", "for": "2m",
            "ladder": [["condition": "t > 20", "severity": "warning"], ["condition": "t > 25", "severity": "major"]],
            "actions": [["type": "publish", "topic": "ops/alerts", "qos": 0]],
        ])
        #expect(parsed.levels.map(\.severity) == [.critical, .major, .warning])
        #expect(parsed.holdFor == 120_000 && parsed.actions == [.alert, .publish(topic: "ops/alerts", qos: 0)])
        #expect(throws: RuleError(path: "ladder[0].severity", reason: "critical is already a level of this rule")) {
            try self.rule(["condition": "t > 30", "severity": "critical", "ladder": [["condition": "t > 1", "severity": "critical"]]])
        }
        #expect(throws: RuleError(path: "actions[0].topic", reason: "must be an MQTT topic name without wildcards")) {
            try self.rule(["condition": "t > 30", "actions": [["type": "publish", "topic": "ops/#"]]])
        }
    }

    @Test func aWindowHasAValueOnlyOnceItsSamplesCoverIt() {
        let window = SampleWindow(sliding: [60_000, 120_000, 300_000], tumbling: [60_000])
        window.add(10, at: 1_000_000)
        window.add(20, at: 1_060_000)
        window.add(30, at: 1_120_000)
        #expect(window.value(.avg, width: 60_000, tumbling: false, now: 1_120_000) == 30, "the last minute, (1_060_000, 1_120_000]")
        #expect(window.value(.avg, width: 300_000, tumbling: false, now: 1_120_000) == nil, "two minutes of data cover no five")
        #expect(window.value(.max, width: 120_000, tumbling: false, now: 1_120_000) == 30)
        #expect(window.value(.min, width: 120_000, tumbling: false, now: 1_120_000) == 20)
        #expect(window.value(.count, width: 120_000, tumbling: false, now: 1_120_000) == 2)
        #expect(window.value(.rate, width: 120_000, tumbling: false, now: 1_120_000) == 10.0 / 60)
        // Tumbling: the last whole minute before now, [1_080_000, 1_140_000) at now = 1_150_000.
        #expect(window.value(.count, width: 60_000, tumbling: true, now: 1_150_000) == 1)
        #expect(window.value(.max, width: 60_000, tumbling: true, now: 1_150_000) == 30)
        window.advance(to: 1_150_000)
        #expect(window.value(.count, width: 60_000, tumbling: false, now: 1_150_000) == 1, "20 aged out")
        window.advance(to: 1_800_000)
        #expect(window.samples.isEmpty && window.coveredSince == 1_000_000)
        #expect(window.value(.avg, width: 60_000, tumbling: false, now: 1_800_000) == nil && window.value(.count, width: 60_000, tumbling: false, now: 1_800_000) == 0)
    }

    @Test func runningMinimaAndMaximaFollowTheSlidingWindow() {
        let window = SampleWindow(sliding: [3_000], tumbling: [])
        let values: [Double] = [5, 1, 4, 2, 8, 3, 7, 0, 6]
        for (second, value) in values.enumerated() {
            let now = Int64(second) * 1_000
            window.add(value, at: now)
            let held = values[max(0, second - 2)...second]
            if second >= 3 {
                #expect(window.value(.min, width: 3_000, tumbling: false, now: now) == held.min())
                #expect(window.value(.max, width: 3_000, tumbling: false, now: now) == held.max())
                #expect(window.value(.avg, width: 3_000, tumbling: false, now: now) == held.reduce(0, +) / Double(held.count))
            }
        }
        window.require(sliding: [5_000], tumbling: [])
        #expect(window.value(.count, width: 5_000, tumbling: false, now: 8_000) == 3, "a new width starts from the samples still held")
    }

    @Test func theStateMachineWaitsEscalatesAndClearsWithHysteresis() throws {
        let parsed = try rule(["condition": "t > 30", "for": "1m", "clear": ["condition": "t < 28"]])
        var watch = RuleWatch()
        #expect(watch.step(held: .warning, clearHolds: false, rule: parsed, now: 0) == nil, "pending")
        #expect(watch.step(held: nil, clearHolds: false, rule: parsed, now: 30_000) == nil, "the condition broke: pending again from scratch")
        #expect(watch.step(held: .warning, clearHolds: false, rule: parsed, now: 40_000) == nil)
        #expect(watch.step(held: .warning, clearHolds: false, rule: parsed, now: 100_000) == .raise(.warning))
        #expect(watch.step(held: nil, clearHolds: false, rule: parsed, now: 110_000) == nil, "between the thresholds it stays open")
        #expect(watch.step(held: .critical, clearHolds: false, rule: parsed, now: 120_000) == .raise(.critical))
        #expect(watch.step(held: nil, clearHolds: true, rule: parsed, now: 130_000) == .clear)
        #expect(watch.active == nil && !watch.isTimed)
    }

    @Test func quietForClearsOnlyAfterNothingHeldThatLong() throws {
        let parsed = try rule(["condition": "door = true", "clear": ["quietFor": "10m"]])
        var watch = RuleWatch()
        #expect(watch.step(held: .warning, clearHolds: false, rule: parsed, now: 0) == .raise(.warning))
        #expect(watch.step(held: nil, clearHolds: false, rule: parsed, now: 599_999) == nil)
        #expect(watch.step(held: nil, clearHolds: false, rule: parsed, now: 600_000) == .clear)
    }

    @Test func comparisonsOfMissingOrMismatchedValuesDoNotHold() {
        #expect(RuleCondition.compare(.int(3), .greater, .double(2.5)))
        #expect(!RuleCondition.compare(nil, .notEqual, .int(1)))
        #expect(!RuleCondition.compare(.string("3"), .equal, .int(3)))
        #expect(RuleCondition.compare(.string("auto"), .notEqual, .string("eco")))
        #expect(!RuleCondition.compare(.bool(true), .greater, .bool(false)))
    }
}
