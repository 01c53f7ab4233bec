import Foundation
import NIOCore

/// A session as persistence writes and reads it.
struct PersistedSession: Sendable {
    var clientID: String
    var owner: String? = nil
    var expiryInterval: UInt32
    /// Wall-clock milliseconds since 1970 when its last connection ended (the time of writing while connected).
    var disconnectedAt: Int64
    var subscriptions: [PersistedSubscription]
    var snapshot: MQTTSession.Snapshot
}

struct PersistedSubscription: Sendable {
    var filter: String
    var options: MQTTPacket.SubscriptionOptions
    var identifier: Int?
}

/// Changes gathered since the last write, written in one transaction.
struct PersistenceBatch: Sendable {
    var sessions: [PersistedSession] = []
    var deletedSessions: [String] = []
    var retained: [MQTTMessage] = []
    var deletedRetained: [String] = []

    var isEmpty: Bool { sessions.isEmpty && deletedSessions.isEmpty && retained.isEmpty && deletedRetained.isEmpty }
}

/// Everything read back at start.
struct PersistedState: Sendable {
    var sessions: [PersistedSession] = []
    var retained: [MQTTMessage] = []
    /// Stored messages that could not be decoded, skipped.
    var unreadableMessages = 0
}

/// Converts between the monotonic deadlines the broker runs on and the wall-clock times it stores.
struct WallClock: Sendable {
    let wallMilliseconds: Int64
    let monotonic: NIODeadline

    static func now() -> WallClock {
        WallClock(wallMilliseconds: Int64((Date().timeIntervalSince1970 * 1_000).rounded()), monotonic: .now())
    }

    func wall(_ deadline: NIODeadline) -> Int64 {
        wallMilliseconds + (deadline - monotonic).nanoseconds / 1_000_000
    }

    func deadline(_ wall: Int64) -> NIODeadline {
        monotonic + .milliseconds(wall - wallMilliseconds)
    }
}
