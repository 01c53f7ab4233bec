import Testing
@testable import TwinModel

@Suite("Store: the command history and queued commands")
struct StoreCommandTests {
    let tenant = StoreFixture.tenant

    private func queued(_ name: String, on twin: String = "d1", at created: Int64, expiringAt expiry: Int64) -> CommandRecord {
        CommandRecord(
            twin: twin, name: name, payload: ["n": .string(name)], status: .queued, requestedBy: "token:ops", createdAt: StoreFixture.at(created),
            expiresAt: StoreFixture.at(expiry), timeout: .seconds(30))
    }

    @Test func queuedCommandsAreTakenOldestFirstOnceEachAndExpireUntaken() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["d1", "d2"], in: store)
        try await store.recordCommand(queued("short", at: 1_000, expiringAt: 2_000), in: tenant)
        try await store.recordCommand(queued("first", at: 1_001, expiringAt: 60_000), in: tenant)
        try await store.recordCommand(queued("second", at: 1_002, expiringAt: 60_000), in: tenant)
        try await store.recordCommand(queued("other", on: "d2", at: 1_003, expiringAt: 60_000), in: tenant)

        let first = try #require(try await store.takeQueuedCommand(of: "d1", in: tenant, at: StoreFixture.at(3_000)))
        #expect(first.name == "first" && first.status == .sent && first.deliveredAt == StoreFixture.at(3_000))
        // The device missed it: back in the queue, still first.
        try await store.finishCommand(first.id, status: .queued)
        #expect(try await store.takeQueuedCommand(of: "d1", in: tenant, at: StoreFixture.at(3_100))?.id == first.id)
        try await store.finishCommand(first.id, status: .completed, replyStatus: 200, reply: ["ok": true], at: StoreFixture.at(3_200))
        let second = try #require(try await store.takeQueuedCommand(of: "d1", in: tenant, at: StoreFixture.at(3_300)))
        #expect(second.name == "second")
        #expect(try await store.takeQueuedCommand(of: "d1", in: tenant, at: StoreFixture.at(3_400)) == nil, "taken once; short expired")
        try await store.finishCommand(second.id, status: .timedOut, at: StoreFixture.at(33_300))

        let history = try await store.commands(of: "d1", in: tenant, at: StoreFixture.at(40_000))
        #expect(history.map(\.name) == ["second", "first", "short"])
        #expect(history.map(\.status) == [.timedOut, .completed, .expired])
        let done = try await store.command(first.id, of: "d1", in: tenant)
        #expect(done.replyStatus == 200 && done.reply == ["ok": true] && done.completedAt == StoreFixture.at(3_200))
        #expect(done.payload == ["n": "first"] && done.requestedBy == "token:ops" && done.timeout == .seconds(30))
        #expect(try await store.commands(of: "d2", in: tenant, at: StoreFixture.at(40_000)).map(\.status) == [.queued])
        await #expect(throws: TwinModelError.commandNotFound(twin: "d2", id: first.id)) {
            try await store.command(first.id, of: "d2", in: tenant)
        }
    }

    @Test func aDeviceHoldsAtMostOneHundredUnexpiredQueuedCommands() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["d1"], in: store)
        try await store.recordCommand(queued("old", at: 1_000, expiringAt: 1_500), in: tenant)
        for index in 0..<TwinStore.maximumQueuedCommands {
            try await store.recordCommand(queued("c\(index)", at: 2_000, expiringAt: 60_000), in: tenant)
        }
        await #expect(throws: TwinModelError.commandQueueFull(twin: "d1", limit: 100)) {
            try await store.recordCommand(queued("one-more", at: 2_000, expiringAt: 60_000), in: tenant)
        }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) {
            try await store.recordCommand(queued("x", on: "ghost", at: 2_000, expiringAt: 60_000), in: tenant)
        }
    }
}
