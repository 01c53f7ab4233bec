import Testing
@testable import TwinModel

@Suite("Store: desired keys a device cannot apply")
struct StoreDesiredRejectionTests {
    let tenant = StoreFixture.tenant

    @Test func aRejectionStandsUntilDesiredChangesTheKeyOrItConverges() async throws {
        let (store, _) = try StoreFixture.memory()
        try await StoreFixture.createTwins(["d1"], in: store)
        try await store.patchTwin("d1", section: .desired, with: .merge(["fan": "turbo", "mode": "eco"]), in: tenant, changedBy: "t")
        await #expect(throws: TwinModelError.unknownDesiredKey("colour")) {
            try await store.rejectDesired(["colour": "no such thing"], of: "d1", in: tenant)
        }
        await #expect(throws: TwinModelError.twinNotFound("ghost")) { try await store.rejectDesired(["fan": "x"], of: "ghost", in: tenant) }
        try await store.rejectDesired(["fan": "unsupported speed", "mode": "no eco mode"], of: "d1", in: tenant, at: StoreFixture.at(5))
        var twin = try #require(try await store.twin("d1", in: tenant))
        #expect(try await store.desiredRejections(of: twin, in: tenant) == [
            "fan": DesiredRejection(reason: "unsupported speed", desiredVersion: 1, at: StoreFixture.at(5)),
            "mode": DesiredRejection(reason: "no eco mode", desiredVersion: 1, at: StoreFixture.at(5)),
        ])
        // Desired changes fan: that rejection lapses; mode's stands.
        try await store.patchTwin("d1", section: .desired, with: .merge(["fan": "high"]), in: tenant, changedBy: "t")
        twin = try #require(try await store.twin("d1", in: tenant))
        #expect(try await store.desiredRejections(of: twin, in: tenant).keys.sorted() == ["mode"])
        // The device applies mode after all: converged, so nothing stands.
        try await store.patchTwin("d1", section: .reported, with: .merge(["mode": "eco"]), in: tenant, changedBy: "d")
        twin = try #require(try await store.twin("d1", in: tenant))
        #expect(try await store.desiredRejections(of: twin, in: tenant).isEmpty)
    }
}

@Suite("Store: ids kept for AWS named shadows")
struct StoreShadowIdentifierTests {
    @Test func aDeviceIdMayNotLookLikeANamedShadow() async throws {
        let (store, _) = try StoreFixture.memory()
        let error = await StoreFixture.error { try await store.registerDevice("pump.shadow.config", in: StoreFixture.tenant, changedBy: "t") }
        guard case .invalidIdentifier(let kind, let id, _)? = error else {
            Issue.record("expected invalidIdentifier, got \(String(describing: error))")
            return
        }
        #expect(kind == "device" && id == "pump.shadow.config")
        _ = try await store.registerDevice("pump.shadowy", in: StoreFixture.tenant, changedBy: "t")
    }
}
