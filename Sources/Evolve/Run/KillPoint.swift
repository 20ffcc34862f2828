import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only crash points, set by `SIM_CASCADE_TEST_KILL`: `commit:N` makes the process SIGKILL
/// itself inside the transaction of iteration N (after every insert, before the commit);
/// `evaluation:N` does so in the middle of the N-th evaluation this process starts. They exist
/// so the crash-safety test can stop a real process at the two moments that matter.
public struct KillPoint: Sendable {
    enum Moment: String { case commit, evaluation }
    var moment: Moment?
    var count = 0

    public init(_ text: String?) {
        let parts = text?.split(separator: ":") ?? []
        guard parts.count == 2, let moment = Moment(rawValue: String(parts[0])), let n = Int(parts[1]) else { return }
        (self.moment, count) = (moment, n)
    }

    public var beforeCommit: (Int) throws -> Void {
        guard moment == .commit else { return { _ in } }
        let n = count
        return { iteration in if iteration == n { kill(getpid(), SIGKILL) } }
    }

    public func wrap(_ evaluate: @escaping @Sendable (String, [String: Double]) throws -> EvaluatedChild) -> @Sendable (String, [String: Double]) throws -> EvaluatedChild {
        guard moment == .evaluation else { return evaluate }
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var started = 0
            func next() -> Int { lock.withLock { started += 1; return started } }
        }
        let counter = Counter(), n = count
        return { source, references in
            guard counter.next() == n else { return try evaluate(source, references) }
            // While the sandboxed child runs; if the evaluation is quicker, before it returns.
            Thread.detachNewThread { usleep(30_000); kill(getpid(), SIGKILL) }
            let result = try evaluate(source, references)
            sleep(5)
            return result
        }
    }
}
