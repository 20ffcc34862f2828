import CandidateAPI
import Foundation
import SimCore

/// The cluster shape a placement is computed for.
public struct EPLBShape: Sendable, Equatable, Codable {
    public var replicas: Int
    public var groups: Int
    public var nodes: Int
    public var gpus: Int

    public init(replicas: Int, groups: Int, nodes: Int, gpus: Int) {
        self.replicas = replicas
        self.groups = groups
        self.nodes = nodes
        self.gpus = gpus
    }

    /// DeepSeek-V3's: 288 replicas of 256 experts in 8 groups on 4 nodes × 8 GPUs.
    public static let deepSeekV3 = EPLBShape(replicas: 288, groups: 8, nodes: 4, gpus: 32)

    public func input(_ weights: [[Double]]) -> EPLBInput {
        EPLBInput(weights: weights, replicas: replicas, groups: groups, nodes: nodes, gpus: gpus)
    }
}

/// The largest EPLB shape accepted — from options and files alike, checked before anything is
/// allocated for it. Room for DeepSeek-V3 (58 layers × 256 experts, 288 replicas, 8 groups,
/// 4 nodes, 32 GPUs) several times over. The largest (512 × 1,024 → 4,096 slots on one node,
/// from a 10 MB file) takes about 8 s for `simulate eplb` on a 2-core VM; no option can make a
/// command allocate more than its input file justifies.
public enum EPLBLimits {
    public static let layers = 512
    public static let experts = 1024
    public static let replicas = 4096
    public static let groups = 1024
    public static let nodes = 256
    public static let gpus = 1024
    /// The largest total load: scores add, divide and compare loads, and near the largest
    /// double (1.8e308) a sum of finite loads can round to infinity.
    public static let totalLoad = 1e300

    /// The limit of each shape option, by option name.
    public static let byOption: [(option: String, limit: Int)] = [
        ("--replicas", replicas), ("--groups", groups), ("--nodes", nodes), ("--gpus", gpus),
    ]

    /// One line for help texts and docs.
    public static let summary = "layers ≤ \(layers), experts ≤ \(experts), replicas ≤ \(replicas), groups ≤ \(groups), "
        + "nodes ≤ \(nodes), GPUs ≤ \(gpus)"
}

/// An EPLB input file: a single instance (`weight` and the shape, as in DeepSeek's README
/// example) or a load history (`load_history`, the public evaluator's format, optionally with
/// the shape and window size at top level).
public enum EPLBInputFile: Sendable {
    case instance(EPLBInput)
    case history(EPLBLoadHistory)

    private struct File: Decodable {
        struct Record: Decodable { var logical_expert_load: [[Double]] }
        var weight: [[Double]]?
        var load_history: [Record]?
        // Doubles, so that 4.5 is reported by name rather than as "not valid JSON".
        var num_replicas: Double?
        var num_groups: Double?
        var num_nodes: Double?
        var num_gpus: Double?
        var window: Double?
    }

    /// - Throws: `SimError` naming the file and the problem.
    public static func load(from url: URL) throws -> EPLBInputFile {
        let file = try JSONFile.decode(File.self, from: url)
        func fail(_ reason: String) -> SimError { .malformedFile(url.path, reason: reason) }
        func integer(_ value: Double?, _ name: String, limit: Int) throws -> Int? {
            guard let value else { return nil }
            guard value == value.rounded(), value >= 1, value <= Double(limit) else {
                throw fail("\(name) is \(value), expected a whole number in [1, \(limit)]")
            }
            return Int(value)
        }
        let counts = try [("num_replicas", file.num_replicas, EPLBLimits.replicas), ("num_groups", file.num_groups, EPLBLimits.groups),
                          ("num_nodes", file.num_nodes, EPLBLimits.nodes), ("num_gpus", file.num_gpus, EPLBLimits.gpus)]
            .map { try integer($0.1, $0.0, limit: $0.2) }
        let window = try integer(file.window, "window", limit: Int(Int32.max))
        let shape: EPLBShape? = {
            guard let r = counts[0], let g = counts[1], let n = counts[2], let p = counts[3] else { return nil }
            return EPLBShape(replicas: r, groups: g, nodes: n, gpus: p)
        }()
        if let weight = file.weight {
            guard let shape else { throw fail("an instance needs num_replicas, num_groups, num_nodes and num_gpus") }
            let input = shape.input(weight)
            do { try DeepSeekEPLB.validate(input) } catch let error as SimError { throw fail(error.description) }
            return .instance(input)
        }
        guard let records = file.load_history else { throw fail("needs either weight or load_history") }
        guard let first = records.first else { throw fail("load_history is empty") }
        guard let experts = first.logical_expert_load.first?.count, experts > 0 else {
            throw fail("load_history[0] has no layers or no experts")
        }
        let layers = first.logical_expert_load.count
        guard layers <= EPLBLimits.layers, experts <= EPLBLimits.experts else {
            throw fail("load_history[0] is \(layers) layers × \(experts) experts; the limits are \(EPLBLimits.summary)")
        }
        var flat: [Tensor<Double>] = []
        flat.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            let load = record.logical_expert_load
            guard load.count == layers, load.allSatisfy({ $0.count == experts }) else {
                throw fail("load_history[\(i)] is not \(layers) layers × \(experts) experts")
            }
            guard load.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 >= 0 } }) else {
                throw fail("load_history[\(i)] has a negative or non-finite load")
            }
            flat.append(Tensor(shape: [layers, experts], scalars: load.flatMap { $0 }))
        }
        // Windows sum records and scores sum windows: a total that overflows would make a
        // score NaN or infinite.
        guard flat.reduce(0.0, { $0 + $1.scalars.reduce(0, +) }) <= EPLBLimits.totalLoad else {
            throw fail("the loads of load_history sum beyond \(EPLBLimits.totalLoad)")
        }
        return .history(EPLBLoadHistory(records: flat, shape: shape, window: window))
    }
}

/// Per-step expert loads, `records[step]` a layers × experts tensor.
public struct EPLBLoadHistory: Sendable {
    public var records: [Tensor<Double>]
    /// The shape stored in the file, if any.
    public var shape: EPLBShape?
    /// The window size stored in the file, if any.
    public var window: Int?

    public init(records: [Tensor<Double>], shape: EPLBShape?, window: Int?) {
        self.records = records
        self.shape = shape
        self.window = window
    }

    public var layers: Int { records.first?.shape[0] ?? 0 }
    public var experts: Int { records.first?.shape[1] ?? 0 }

    /// Sums of consecutive chunks of `size` records (a trailing partial chunk is dropped), as
    /// `weights[layer][expert]`.
    /// - Complexity: O(records × layers × experts), through BLAS `axpy`.
    public func windows(size: Int) -> [[[Double]]] {
        guard size > 0 else { return [] }
        return stride(from: 0, to: records.count - size + 1, by: size).map { start in
            var sum = Tensor<Double>(repeating: 0, shape: [layers, experts])
            for record in records[start ..< start + size] { sum.axpy(1, record) }
            return (0..<layers).map { Array(sum.scalars[($0 * experts) ..< (($0 + 1) * experts)]) }
        }
    }
}
