import Testing

@testable import Broker

@Suite("Topic tree matching (§4.7)")
struct TopicTreeTests {
    static func tree(_ filters: [String]) throws -> TopicTree<String> {
        var tree = TopicTree<String>()
        for filter in filters { try tree.insert(filter, for: filter) }
        return tree
    }

    static func matches(_ tree: TopicTree<String>, _ topic: String) -> [String] {
        var result: [String] = []
        tree.match(topic, into: &result)
        return result.sorted()
    }

    /// The examples of §4.7.1.2 and §4.7.1.3.
    @Test func specificationExamples() throws {
        let tree = try Self.tree([
            "sport/tennis/player1/#", "sport/#", "sport/tennis/#", "sport/tennis/+", "sport/+", "+/+", "/+", "+",
            "#", "sport/tennis/player1", "+/tennis/#",
        ])
        #expect(
            Self.matches(tree, "sport/tennis/player1") == [
                "#", "+/tennis/#", "sport/#", "sport/tennis/#", "sport/tennis/+", "sport/tennis/player1",
                "sport/tennis/player1/#",
            ]
        )
        #expect(
            Self.matches(tree, "sport/tennis/player1/ranking") == ["#", "+/tennis/#", "sport/#", "sport/tennis/#", "sport/tennis/player1/#"]
        )
        #expect(
            Self.matches(tree, "sport/tennis/player1/score/wimbledon") == [
                "#", "+/tennis/#", "sport/#", "sport/tennis/#", "sport/tennis/player1/#",
            ]
        )
        // "sport/#" also matches "sport" itself; "sport/+" does not, "+" does.
        #expect(Self.matches(tree, "sport") == ["#", "+", "sport/#"])
        // "sport/+" matches "sport/" (an empty level).
        #expect(Self.matches(tree, "sport/") == ["#", "+/+", "sport/#", "sport/+"])
        // "/finance" is matched by "+/+" and "/+", not by "+".
        #expect(Self.matches(tree, "/finance") == ["#", "+/+", "/+"])
    }

    @Test func dollarTopicsAreNotMatchedByLeadingWildcards() throws {
        let tree = try Self.tree(["#", "+/monitor/Clients", "$SYS/#", "$SYS/monitor/+", "+", "+/#"])
        #expect(Self.matches(tree, "$SYS/monitor/Clients") == ["$SYS/#", "$SYS/monitor/+"])
        #expect(Self.matches(tree, "$SYS") == ["$SYS/#"])
        #expect(Self.matches(tree, "$aws/things/t/shadow/update") == [])
        #expect(Self.matches(tree, "x/monitor/Clients") == ["#", "+/#", "+/monitor/Clients"])
    }

    @Test func matchingIsByteWiseAndCaseSensitive() throws {
        // "é" precomposed and decomposed are equal as Swift strings, never as MQTT topics.
        let tree = try Self.tree(["caf\u{E9}", "ACCOUNTS"])
        #expect(Self.matches(tree, "caf\u{E9}") == ["caf\u{E9}"])
        #expect(Self.matches(tree, "cafe\u{301}") == [])
        #expect(Self.matches(tree, "Accounts") == [])
    }

    @Test func removeAndPrune() throws {
        var tree = TopicTree<String>()
        try tree.insert("client-a", for: "a/+/c")
        try tree.insert("client-b", for: "a/+/c")
        try tree.insert("client-a", for: "a/#")
        #expect(tree.count == 3)
        let removed = tree.remove("client-a", for: "a/+/c")
        let removedAgain = tree.remove("client-a", for: "a/+/c")
        let removedUnknown = tree.remove("client-a", for: "x/y")
        #expect(removed && !removedAgain && !removedUnknown)
        #expect(Self.matches(tree, "a/b/c") == ["client-a", "client-b"])
        let removedMultiLevel = tree.remove(for: "a/#") { $0 == "client-a" }
        #expect(removedMultiLevel == 1)
        #expect(Self.matches(tree, "a/b/c") == ["client-b"])
        let removedLast = tree.remove("client-b", for: "a/+/c")
        #expect(removedLast && tree.isEmpty)
        #expect(Self.matches(tree, "a/b/c") == [])
        // Freed nodes are reused, and the tree still matches correctly.
        try tree.insert("client-c", for: "a/b/c")
        #expect(Self.matches(tree, "a/b/c") == ["client-c"])
        #expect(Self.matches(tree, "a/b") == [])
    }

    @Test func overlappingFiltersVisitTheSubscriberOncePerFilter() throws {
        var tree = TopicTree<Int>()
        try tree.insert(7, for: "a/b")
        try tree.insert(7, for: "a/+")
        try tree.insert(8, for: "a/b")
        var visited: [Int] = []
        tree.forEachMatch(of: "a/b") { visited.append($0) }
        #expect(visited.sorted() == [7, 7, 8])
    }

    @Test func matchAppendsToTheCallersArray() throws {
        let tree = try Self.tree(["a"])
        var result = ["kept"]
        tree.match("a", into: &result)
        #expect(result == ["kept", "a"])
    }

    @Test func insertRefusesInvalidFilters() {
        var tree = TopicTree<Int>()
        do throws(MQTTProtocolError) {
            try tree.insert(1, for: "a/#/b")
            Issue.record("inserted an invalid filter")
        } catch {
            #expect(error == .invalidTopicFilter("a/#/b", .misplacedMultiLevelWildcard))
        }
        #expect(tree.isEmpty)
    }

    @Test func treeIsAValue() throws {
        var original = try Self.tree(["a/b"])
        let copy = original
        try original.insert("a/+", for: "a/+")
        #expect(Self.matches(copy, "a/b") == ["a/b"])
        #expect(Self.matches(original, "a/b") == ["a/+", "a/b"])
    }

    @Test func manyLevelsAndSubscribers() throws {
        var tree = TopicTree<Int>()
        for device in 0..<1_000 {
            try tree.insert(device, for: "tenant/t1/device/\(device)/twin/desired")
        }
        try tree.insert(-1, for: "tenant/+/device/+/twin/#")
        #expect(tree.count == 1_001)
        var hits: [Int] = []
        tree.match("tenant/t1/device/512/twin/desired", into: &hits)
        #expect(hits.sorted() == [-1, 512])
    }
}
