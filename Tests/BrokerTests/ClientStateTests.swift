import Testing

@testable import Broker

/// The client's plain state machines: packet identifiers and send quota, keep-alive.
@Suite("MQTT client state")
struct ClientStateTests {
    typealias InFlight = MQTTClientInFlight<String, String>

    /// `allocate` outside `#require`, which cannot call mutating members.
    func allocated(_ inFlight: inout InFlight, _ kind: InFlight.Kind, completion: String) -> UInt16? {
        inFlight.allocate(kind, completion: completion)
    }

    @Test("identifiers are distinct, skip those in use and wrap around past 65,535")
    func identifiers() throws {
        var inFlight = InFlight(quota: 10)
        let first = try #require(allocated(&inFlight, .subscribe, completion: "s"))
        let second = try #require(allocated(&inFlight, .publish(.atLeastOnce), completion: "p"))
        #expect(first == 1 && second == 2)
        for _ in 3...UInt16.max {
            let identifier = try #require(allocated(&inFlight, .unsubscribe, completion: "u"))
            _ = inFlight.acknowledge(.unsuback, identifier: identifier)
        }
        // Next would be 1 and 2 again, both still in use.
        #expect(allocated(&inFlight, .subscribe, completion: "s2") == 3)
    }

    @Test("publications beyond the quota wait, in order, until an acknowledgement frees a slot")
    func quota() throws {
        var inFlight = InFlight(quota: 2)
        let a = try #require(allocated(&inFlight, .publish(.atLeastOnce), completion: "a"))
        #expect(allocated(&inFlight, .publish(.exactlyOnce), completion: "b") != nil)
        #expect(!inFlight.canPublish)
        inFlight.enqueue("c")
        inFlight.enqueue("d")
        var next = inFlight.dequeue()
        #expect(next == nil)
        // Subscriptions do not count against the quota.
        #expect(allocated(&inFlight, .subscribe, completion: "s") != nil)
        guard case .completed("a", freedSlot: true) = inFlight.acknowledge(.puback, identifier: a) else {
            Issue.record("PUBACK did not complete the QoS 1 publication")
            return
        }
        next = inFlight.dequeue()
        #expect(next == "c")
        #expect(!inFlight.canPublish, "d still waits, so nothing may overtake it")
        _ = inFlight.allocate(.publish(.atLeastOnce), completion: "c")
        next = inFlight.dequeue()
        #expect(next == nil)
    }

    @Test("QoS 2 holds its identifier and slot from PUBLISH through PUBREC to PUBCOMP")
    func exactlyOnce() throws {
        var inFlight = InFlight(quota: 1)
        let identifier = try #require(allocated(&inFlight, .publish(.exactlyOnce), completion: "q2"))
        guard case .unknown = inFlight.acknowledge(.puback, identifier: identifier) else {
            Issue.record("PUBACK accepted for a QoS 2 publication")
            return
        }
        guard case .release = inFlight.acknowledge(.pubrec, identifier: identifier) else {
            Issue.record("PUBREC did not ask for PUBREL")
            return
        }
        guard case .release = inFlight.acknowledge(.pubrec, identifier: identifier) else {
            Issue.record("a repeated PUBREC did not ask for PUBREL again")
            return
        }
        #expect(inFlight.publications == 1)
        guard case .completed("q2", freedSlot: true) = inFlight.acknowledge(.pubcomp, identifier: identifier) else {
            Issue.record("PUBCOMP did not complete")
            return
        }
        #expect(inFlight.count == 0 && inFlight.publications == 0)
    }

    @Test("a failed PUBREC ends the QoS 2 exchange")
    func failedPubRec() throws {
        var inFlight = InFlight(quota: 1)
        let identifier = try #require(allocated(&inFlight, .publish(.exactlyOnce), completion: "q2"))
        guard case .completed("q2", freedSlot: true) = inFlight.acknowledge(.pubrec, identifier: identifier, failed: true)
        else {
            Issue.record("a failed PUBREC did not complete")
            return
        }
        #expect(inFlight.canPublish)
    }

    @Test("closing hands back every completion, in flight and waiting")
    func removeAll() throws {
        var inFlight = InFlight(quota: 1)
        _ = inFlight.allocate(.publish(.atLeastOnce), completion: "a")
        _ = inFlight.allocate(.subscribe, completion: "s")
        inFlight.enqueue("b")
        let (active, pending) = inFlight.removeAll()
        #expect(Set(active) == ["a", "s"])
        #expect(pending == ["b"])
        #expect(inFlight.canPublish && inFlight.count == 0)
    }

    @Test("keep-alive pings after half an idle interval and gives up a whole interval later")
    func keepAlive() {
        var keepAlive = MQTTClientKeepAlive()
        #expect(keepAlive.tick() == .none)
        keepAlive.wrote()
        #expect(keepAlive.tick() == .none)
        #expect(keepAlive.tick() == .sendPing)
        keepAlive.receivedPingResponse()
        #expect(keepAlive.tick() == .none)
        #expect(keepAlive.tick() == .sendPing)
        #expect(keepAlive.tick() == .none)
        #expect(keepAlive.tick() == .none)
        #expect(keepAlive.tick() == .none)
        #expect(keepAlive.tick() == .timedOut)
    }
}
