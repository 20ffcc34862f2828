import Foundation

/// `body` for each index of `0..<count`, at most `width` at once (each on a thread of its own:
/// `body` may block on a child process or a remote answer), the results in index order.
/// After a call throws, no further index starts; the error of the lowest failed index is
/// rethrown once the started calls end. With `width` 1 it is a plain loop on this thread.
/// O(count) calls of `body`; `width` threads.
public func windowedMap<T: Sendable>(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    guard width > 1, count > 1 else { return try (0..<count).map(body) }
    let state = WindowState<T>(count)
    let group = DispatchGroup()
    for _ in 0..<min(width, count) {
        group.enter()
        Thread.detachNewThread {
            while let index = state.take() { state.finish(index, Result { try body(index) }) }
            group.leave()
        }
    }
    group.wait()
    if let failure = state.failure { throw failure.error }
    return state.results.map { $0! }
}

/// The indices handed out and the results of `windowedMap`, under one lock.
private final class WindowState<T: Sendable>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [T?]
    var failure: (index: Int, error: any Error)?
    init(_ count: Int) { results = Array(repeating: nil, count: count) }

    /// The next index to run, or `nil` when all started or one failed.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, next < results.count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, _ result: Result<T, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        switch result {
        case .success(let value): results[index] = value
        case .failure(let error): if failure.map({ index < $0.index }) ?? true { failure = (index, error) }
        }
    }
}
