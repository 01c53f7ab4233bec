import Testing
@testable import TwinModel

@Suite("Twin convergence: when desired and reported came to agree")
struct TwinConvergenceTests {
    let t0 = Timestamp(milliseconds: 1_700_000_000_000)
    let t1 = Timestamp(milliseconds: 1_700_000_001_000)
    let t2 = Timestamp(milliseconds: 1_700_000_002_000)
    let t3 = Timestamp(milliseconds: 1_700_000_003_000)
    let t4 = Timestamp(milliseconds: 1_700_000_004_000)

    @Test func convergenceIsTheLaterOfTheDesiredAndTheReportedWrite() throws {
        var twin = Twin(id: "dev", at: t0)
        #expect(twin.convergedAt == t0, "no desired state: converged since desired was last written")
        _ = try twin.apply(mergePatch: ["fan": "high", "mode": "eco"], to: .desired, at: t1)
        #expect(twin.convergedAt == nil && twin.convergedKeys.isEmpty)
        _ = try twin.apply(mergePatch: ["fan": "high", "rpm": 900], to: .reported, at: t2)
        #expect(twin.convergedKeys == ["fan": t2])
        #expect(twin.convergedAt == nil, "mode still differs")
        _ = try twin.apply(mergePatch: ["mode": "eco"], to: .reported, at: t3)
        #expect(twin.convergedKeys == ["fan": t2, "mode": t3])
        #expect(twin.convergedAt == t3)
        // A reported key outside desired changes nothing.
        _ = try twin.apply(mergePatch: ["rpm": 950], to: .reported, at: t4)
        #expect(twin.convergedAt == t3)
        // Desired set to what is already reported converges at the desired write.
        _ = try twin.apply(mergePatch: ["rpm": 950], to: .desired, at: t4)
        #expect(twin.convergedKeys["rpm"] == t4 && twin.convergedAt == t4)
        _ = try twin.apply(mergePatch: ["fan": "low"], to: .desired, at: t4)
        #expect(twin.convergedAt == nil && twin.convergedKeys["fan"] == nil)
    }
}
