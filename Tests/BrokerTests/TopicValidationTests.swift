import Testing

@testable import Broker

@Suite("Topic names, filters and shared subscriptions (§4.7, §4.8.2)")
struct TopicValidationTests {
    @Test(arguments: ["sport/tennis/player1", "/", "//", "/finance", "a b/ü/✓", "$SYS/broker/load", "sport"])
    func validTopicNames(name: String) throws {
        try MQTTTopic.validateName(name)
    }

    @Test(arguments: [
        ("", MQTTTopicProblem.empty),
        ("sport/+", .wildcardInTopicName),
        ("sport/#", .wildcardInTopicName),
        ("a\u{0}b", .nullCharacter),
    ])
    func invalidTopicNames(name: String, problem: MQTTTopicProblem) {
        #expect(throws: MQTTProtocolError.invalidTopicName(name, problem)) { try MQTTTopic.validateName(name) }
    }

    @Test(arguments: [
        "sport/tennis/player1/#", "sport/#", "#", "+", "+/tennis/#", "sport/+/player1", "/+", "+/+", "sport/+",
        "$SYS/#", "a//b", "$share/group/sport/#", "$share/g/+",
    ])
    func validTopicFilters(filter: String) throws {
        try MQTTTopic.validateFilter(filter)
    }

    @Test(arguments: [
        ("", MQTTTopicProblem.empty),
        ("sport/tennis#", .misplacedMultiLevelWildcard),
        ("sport/tennis/#/ranking", .misplacedMultiLevelWildcard),
        ("##", .misplacedMultiLevelWildcard),
        ("sport+", .misplacedSingleLevelWildcard),
        ("+sport", .misplacedSingleLevelWildcard),
        ("sport/+x/a", .misplacedSingleLevelWildcard),
        ("a\u{0}", .nullCharacter),
        ("$share/g/a/#/b", .misplacedMultiLevelWildcard),
    ])
    func invalidTopicFilters(filter: String, problem: MQTTTopicProblem) {
        let error = #expect(throws: MQTTProtocolError.self) { try MQTTTopic.validateFilter(filter) }
        #expect(error == .invalidTopicFilter(filter, problem))
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test func lengthLimits() throws {
        let longest = String(repeating: "a", count: 65_535)
        try MQTTTopic.validateName(longest)
        try MQTTTopic.validateFilter(longest)
        let tooLong = longest + "b"
        #expect(throws: MQTTProtocolError.invalidTopicName(tooLong, .tooLong(bytes: 65_536))) {
            try MQTTTopic.validateName(tooLong)
        }
        #expect(throws: MQTTProtocolError.invalidTopicFilter(tooLong, .tooLong(bytes: 65_536))) {
            try MQTTTopic.validateFilter(tooLong)
        }
    }

    @Test func configurableMaximumLevels() throws {
        try MQTTTopic.validateName("a/b/c", maximumLevels: 3)
        let name = #expect(throws: MQTTProtocolError.self) { try MQTTTopic.validateName("a/b/c/d", maximumLevels: 3) }
        #expect(name == .invalidTopicName("a/b/c/d", .tooManyLevels(4, limit: 3)))
        #expect(name?.reasonCode == .topicNameInvalid)
        try MQTTTopic.validateFilter("$share/g/a/b/#", maximumLevels: 3)
        let filter = #expect(throws: MQTTProtocolError.self) { try MQTTTopic.validateFilter("/a/b/c", maximumLevels: 3) }
        #expect(filter == .invalidTopicFilter("/a/b/c", .tooManyLevels(4, limit: 3)))
        #expect(filter?.reasonCode == .topicFilterInvalid)
    }

    @Test func sharedSubscriptionParsing() throws {
        #expect(
            try MQTTSharedSubscription(parsing: "$share/consumer1/sport/tennis/+")
                == MQTTSharedSubscription(shareName: "consumer1", filter: "sport/tennis/+")
        )
        #expect(try MQTTSharedSubscription(parsing: "$share/g/#")?.filter == "#")
        #expect(try MQTTSharedSubscription(parsing: "$share/g//")?.filter == "/")
        #expect(try MQTTSharedSubscription(parsing: "sport/#") == nil)
        #expect(try MQTTSharedSubscription(parsing: "$SYS/#") == nil)
        #expect(try MQTTSharedSubscription(parsing: "$sharex/g/a") == nil)
        #expect(MQTTSharedSubscription(shareName: "g", filter: "a/+").topicFilter == "$share/g/a/+")
    }

    @Test(arguments: [
        ("$share/", MQTTTopicProblem.missingSharedFilter),
        ("$share/group", .missingSharedFilter),
        ("$share/group/", .missingSharedFilter),
        ("$share//a", .invalidShareName("")),
        ("$share/g+/a", .invalidShareName("g+")),
        ("$share/#/a", .invalidShareName("#")),
    ])
    func invalidSharedSubscriptions(filter: String, problem: MQTTTopicProblem) {
        #expect(throws: MQTTProtocolError.invalidTopicFilter(filter, problem)) {
            try MQTTSharedSubscription(parsing: filter)
        }
        #expect(throws: MQTTProtocolError.invalidTopicFilter(filter, problem)) { try MQTTTopic.validateFilter(filter) }
    }

    @Test func shareNameAndFilterKeepTheirExactBytes() throws {
        // A combining mark right after "/" must stay in its level, not merge with the separator.
        let parsed = try MQTTSharedSubscription(parsing: "$share/\u{301}g/\u{301}a")
        #expect(parsed?.shareName.unicodeScalars.map(\.value) == [0x301, 0x67])
        #expect(parsed?.filter.unicodeScalars.map(\.value) == [0x301, 0x61])
    }

    @Test func wildcardDetection() {
        #expect(MQTTTopic.hasWildcard("a/+/b"))
        #expect(MQTTTopic.hasWildcard("#"))
        #expect(!MQTTTopic.hasWildcard("a/b"))
    }
}
