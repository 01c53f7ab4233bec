/// Runs `body` for every index of `range`, at most `width` at a time, and returns the results in index order:
/// how the benchmarks and the simulator open thousands of connections or send thousands of requests
/// without opening them all at once.
func concurrently<T: Sendable>(
    _ range: Range<Int>, width: Int, _ body: @escaping @Sendable (Int) async throws -> T
) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var next = range.lowerBound
        func start() {
            let index = next
            next += 1
            group.addTask { (index, try await body(index)) }
        }
        while next < min(range.lowerBound + max(width, 1), range.upperBound) { start() }
        var results: [(Int, T)] = []
        results.reserveCapacity(range.count)
        while let result = try await group.next() {
            results.append(result)
            if next < range.upperBound { start() }
        }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
