import NIOCore

/// The shared completion of the QoS 1 and 2 publications of one ``MQTTClient/publish(contentsOf:)`` call:
/// one promise for the whole batch instead of one per publication. Used on the event loop only.
final class MQTTClientPublishBatch {
    private var remaining: Int
    private var failure: MQTTClientError?
    private let promise: EventLoopPromise<Void>?

    init(count: Int, promise: EventLoopPromise<Void>?) {
        self.remaining = count
        self.promise = promise
    }

    /// Remembers the first failure; the batch fails with it when it ends.
    func record(_ failure: MQTTClientError) {
        if self.failure == nil { self.failure = failure }
    }

    /// One publication of the batch ended.
    func completeOne(failure: MQTTClientError?) {
        if let failure { record(failure) }
        remaining -= 1
        guard remaining == 0 else { return }
        if let failure = self.failure {
            promise?.fail(failure)
        } else {
            promise?.succeed()
        }
    }
}
