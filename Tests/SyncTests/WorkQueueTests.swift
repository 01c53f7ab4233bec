import Testing
@testable import Sync

@Suite("The device work queue")
struct WorkQueueTests {
    @Test func requestsStopAtTheCapacityButOwedWorkIsNeverRefused() {
        let queue = WorkQueue<Int>(capacity: 2)
        #expect(queue.enqueue(1) && queue.enqueue(2))
        #expect(queue.enqueue(3) == false, "a third request past the capacity is refused (answered 503)")
        #expect(queue.enqueue(4, bypassingCapacity: true), "a delta owed after a desired change is kept")
        #expect(queue.drain() == [1, 2, 4])
        #expect(queue.drain().isEmpty)
        #expect(queue.enqueue(5))
    }
}
