import CandidateAPI
import SimCore

/// The built-in transaction schedulers, by their command-line names.
public enum BuiltinTxnPolicy: String, CaseIterable, Sendable {
    /// File order.
    case identity
    /// Shortest makespan first (online): start from a random transaction, then repeatedly sample
    /// `smfSample` unscheduled transactions and append the one that raises the makespan least
    /// (the first sampled wins ties).
    case smf
    /// Offline: insert each transaction (in file order) at the position that keeps the partial
    /// makespan lowest (the earliest such position), then hill-climb with pair swaps, at most
    /// `swapPasses` passes over all pairs, keeping a swap only if it lowers the makespan.
    case greedyInsertion = "greedy-insertion"

    /// Transactions sampled per step of `smf`.
    public static let smfSample = 8
    /// Passes of pair swaps after greedy insertion.
    public static let swapPasses = 2
    /// The largest workload greedy-insertion takes: it grows as n^3.5–4 (about 28 s at 400
    /// transactions, over 300 s at 1,000), so larger workloads are refused, not left running.
    public static let greedyInsertionLimit = 400

    /// Refuses a workload this policy cannot schedule in reasonable time.
    /// - Throws: `SimError.invalidParameter` naming the limit and the alternative.
    public func check(_ workload: TxnWorkload, name: String) throws {
        guard self == .greedyInsertion, workload.transactions.count > Self.greedyInsertionLimit else { return }
        throw SimError.invalidParameter(
            name: "workload", value: Escaped.value(name),
            reason: "has \(workload.transactions.count) transactions; greedy-insertion takes at most \(Self.greedyInsertionLimit) "
                + "(its cost grows as n^3.5–4); use smf")
    }

    /// - Throws: `SimError.unknownPolicy`.
    public init(named name: String) throws {
        guard let policy = BuiltinTxnPolicy(rawValue: name) else {
            throw SimError.unknownPolicy(name, known: Self.allCases.map(\.rawValue))
        }
        self = policy
    }

    /// An order of all transactions of `workload`; `seed` drives `smf`'s sampling.
    /// - Complexity: identity O(n); smf O(n · k · ops); greedy-insertion O(n² · n · ops) plus
    ///   the swap passes, O(passes · n² · n · ops).
    public func schedule(_ workload: TxnWorkload, seed: UInt64) -> [Int] {
        let n = workload.transactions.count
        switch self {
        case .identity:
            return Array(0..<n)
        case .smf:
            return Self.shortestMakespanFirst(workload, seed: seed)
        case .greedyInsertion:
            return Self.greedyInsertion(workload)
        }
    }

    static func shortestMakespanFirst(_ workload: TxnWorkload, seed: UInt64) -> [Int] {
        let n = workload.transactions.count
        guard n > 0 else { return [] }
        var rng = SeededGenerator(seed: seed)
        var state = TxnSchedule(workload)
        var remaining = Array(0..<n)
        var order: [Int] = []
        order.reserveCapacity(n)
        let first = remaining.remove(at: rng.nextInt(below: n))
        state.append(first)
        order.append(first)
        while !remaining.isEmpty {
            let k = min(smfSample, remaining.count)
            // A partial Fisher–Yates shuffle puts k distinct samples at the front.
            for j in 0..<k { remaining.swapAt(j, j + rng.nextInt(below: remaining.count - j)) }
            var best = 0
            var bestMakespan = Int.max
            for j in 0..<k {
                let m = state.makespan(ifAppending: remaining[j])
                if m < bestMakespan {
                    best = j
                    bestMakespan = m
                }
            }
            let txn = remaining[best]
            remaining.swapAt(best, remaining.count - 1)
            remaining.removeLast()
            state.append(txn)
            order.append(txn)
        }
        return order
    }

    static func greedyInsertion(_ workload: TxnWorkload) -> [Int] {
        let n = workload.transactions.count
        var state = TxnSchedule(workload)
        var order: [Int] = []
        order.reserveCapacity(n)
        for txn in 0..<n {
            var bestPosition = 0
            var bestMakespan = Int.max
            for position in 0...order.count {
                order.insert(txn, at: position)
                let m = state.evaluate(order)
                order.remove(at: position)
                if m < bestMakespan {
                    bestPosition = position
                    bestMakespan = m
                }
            }
            order.insert(txn, at: bestPosition)
        }
        var best = state.evaluate(order)
        for _ in 0..<swapPasses {
            var improved = false
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    order.swapAt(i, j)
                    let m = state.evaluate(order)
                    if m < best {
                        best = m
                        improved = true
                    } else {
                        order.swapAt(i, j)
                    }
                }
            }
            if !improved { break }
        }
        return order
    }
}
