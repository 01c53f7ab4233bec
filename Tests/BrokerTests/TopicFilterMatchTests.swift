import Testing
@testable import Broker

@Suite("Matching one filter against a topic, as the topic tree does")
struct TopicFilterMatchTests {
    static let filters = [
        "a/b/c", "a/+/c", "a/#", "#", "+", "+/+", "a/b/#", "a/+", "+/b/+", "$SYS/#", "$iothub/twin/res/#", "a/b/c/#", "/+", "+/", "/#",
        "$iothub/+/res/#",
    ]
    static let topics = [
        "a/b/c", "a/b", "a", "a/b/c/d", "b/b/b", "$SYS/broker", "$iothub/twin/res/200/?$rid=1", "/a", "a/", "/", "x", "a//c",
        "$iothub/methods/res/200/?$rid=2",
    ]

    @Test func agreesWithTheTopicTreeOnEveryPair() throws {
        for filter in Self.filters {
            var tree = TopicTree<Int>()
            try tree.insert(1, for: filter)
            for topic in Self.topics {
                var matches: [Int] = []
                tree.match(topic, into: &matches)
                #expect(MQTTTopic.filter(filter, matches: topic) == !matches.isEmpty, "\(filter) vs \(topic)")
            }
        }
    }
}
