import CandidateAPI
import SimCore

/// DeepSeek's open-source expert-parallelism load balancer (github.com/deepseek-ai/EPLB, MIT),
/// reimplemented exactly: hierarchical when groups % nodes == 0, else the same with one group
/// and one node.
///
/// 1. Pack expert groups onto nodes (balanced packing, groups/nodes per node).
/// 2. Renumber experts node-major; within each node, add replicas one at a time to the expert
///    with the largest load per replica (first index wins ties).
/// 3. Pack each node's replicas (one per expert in renumbered order, then the added ones in the
///    order added) onto its GPUs, R/P per GPU.
public enum DeepSeekEPLB {
    /// Validates the shape of an input.
    /// - Throws: `SimError.invalidParameter` naming the violated rule.
    public static func validate(_ input: EPLBInput) throws {
        let e = input.experts
        func bad(_ name: String, _ value: Int, _ reason: String) -> SimError {
            .invalidParameter(name: name, value: "\(value)", reason: reason)
        }
        guard input.layers > 0, e > 0 else { throw bad("weights", input.layers, "need at least one layer and one expert") }
        // The limits first: nothing below may allocate or loop over an absurd shape.
        for (name, value, limit) in [("layers", input.layers, EPLBLimits.layers), ("experts", e, EPLBLimits.experts),
                                     ("replicas", input.replicas, EPLBLimits.replicas), ("groups", input.groups, EPLBLimits.groups),
                                     ("nodes", input.nodes, EPLBLimits.nodes), ("gpus", input.gpus, EPLBLimits.gpus)] where value > limit {
            throw bad(name, value, "must be at most \(limit) (\(EPLBLimits.summary))")
        }
        guard input.weights.allSatisfy({ $0.count == e }) else {
            throw SimError.invalidParameter(name: "weights", value: "ragged", reason: "every layer needs \(e) experts")
        }
        guard input.weights.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 >= 0 } }) else {
            throw SimError.invalidParameter(name: "weights", value: "negative or non-finite", reason: "loads must be finite and ≥ 0")
        }
        // Every score sums loads: a total near the largest double could round to infinity.
        guard input.weights.joined().reduce(0, +) <= EPLBLimits.totalLoad else {
            throw SimError.invalidParameter(name: "weights", value: "total beyond \(EPLBLimits.totalLoad)",
                                            reason: "the loads must sum to at most \(EPLBLimits.totalLoad)")
        }
        guard input.gpus > 0 else { throw bad("gpus", input.gpus, "must be positive") }
        guard input.replicas >= e else { throw bad("replicas", input.replicas, "must be at least the \(e) experts") }
        guard input.replicas % input.gpus == 0 else {
            throw bad("replicas", input.replicas, "must be a multiple of the \(input.gpus) GPUs")
        }
        guard input.groups > 0 else { throw bad("groups", input.groups, "must be positive") }
        guard input.nodes > 0 else { throw bad("nodes", input.nodes, "must be positive") }
        // Only the hierarchical policy (groups % nodes == 0) uses groups and nodes; otherwise
        // it runs with one group and one node, as DeepSeek's code does.
        if input.groups % input.nodes == 0 {
            guard e % input.groups == 0 else { throw bad("groups", input.groups, "must divide the \(e) experts") }
            guard input.gpus % input.nodes == 0 else { throw bad("nodes", input.nodes, "must divide the \(input.gpus) GPUs") }
        }
    }

    /// `phy2log[layer][slot]` for a validated input.
    /// - Complexity: O(layers × (E + R log R + (R − E)·E/N + R·P/N)).
    public static func place(_ input: EPLBInput) -> [[Int]] {
        let hierarchical = input.groups % input.nodes == 0
        let groups = hierarchical ? input.groups : 1
        let nodes = hierarchical ? input.nodes : 1
        var scratch = Scratch(experts: input.experts, replicas: input.replicas, groups: groups, nodes: nodes,
                              gpus: input.gpus)
        return input.weights.map { scratch.placeLayer($0) }
    }

    /// Buffers reused across layers, so that a layer allocates only its result.
    struct Scratch {
        let experts, replicas, groups, nodes, gpus: Int
        var groupLoad: [Double]
        var groupPack = Packing()
        var logToMlog: [Int]
        var mlogToLog: [Int]
        var nodeLoad: [Double]
        var phyToMlog: [Int]
        var count: [Int]
        var perReplica: [Double]
        var phyLoad: [Double]
        var gpuPack = Packing()

        init(experts: Int, replicas: Int, groups: Int, nodes: Int, gpus: Int) {
            self.experts = experts
            self.replicas = replicas
            self.groups = groups
            self.nodes = nodes
            self.gpus = gpus
            groupLoad = [Double](repeating: 0, count: groups)
            logToMlog = [Int](repeating: 0, count: experts)
            mlogToLog = [Int](repeating: 0, count: experts)
            nodeLoad = [Double](repeating: 0, count: experts / nodes)
            phyToMlog = [Int](repeating: 0, count: replicas / nodes)
            count = [Int](repeating: 0, count: experts / nodes)
            perReplica = [Double](repeating: 0, count: experts / nodes)
            phyLoad = [Double](repeating: 0, count: replicas / nodes)
        }

        mutating func placeLayer(_ weight: [Double]) -> [Int] {
            let groupSize = experts / groups
            let groupsPerNode = groups / nodes
            let expertsPerNode = experts / nodes
            let replicasPerNode = replicas / nodes
            let gpusPerNode = gpus / nodes
            let slotsPerGPU = replicas / gpus

            // 1. Groups onto nodes.
            for g in 0..<groups {
                var sum = 0.0
                for j in 0..<groupSize { sum += weight[g * groupSize + j] }
                groupLoad[g] = sum
            }
            groupPack.pack(groupLoad, into: nodes)
            for g in 0..<groups {
                let base = (groupPack.pack[g] * groupsPerNode + groupPack.rank[g]) * groupSize
                for j in 0..<groupSize {
                    logToMlog[g * groupSize + j] = base + j
                    mlogToLog[base + j] = g * groupSize + j
                }
            }

            var phy2log = [Int](repeating: 0, count: replicas)
            for node in 0..<nodes {
                // 2. Replicate within the node.
                for k in 0..<expertsPerNode {
                    nodeLoad[k] = weight[mlogToLog[node * expertsPerNode + k]]
                    perReplica[k] = nodeLoad[k]
                    count[k] = 1
                    phyToMlog[k] = k
                }
                // Load per replica is kept up to date, so each added replica costs one division.
                for i in expertsPerNode..<replicasPerNode {
                    var best = 0
                    var bestLoad = perReplica[0]
                    for k in 1..<expertsPerNode where perReplica[k] > bestLoad {
                        best = k
                        bestLoad = perReplica[k]
                    }
                    phyToMlog[i] = best
                    count[best] += 1
                    perReplica[best] = nodeLoad[best] / Double(count[best])
                }
                // 3. Replicas onto the node's GPUs.
                for k in 0..<replicasPerNode {
                    phyLoad[k] = nodeLoad[phyToMlog[k]] / Double(count[phyToMlog[k]])
                }
                gpuPack.pack(phyLoad, into: gpusPerNode)
                for k in 0..<replicasPerNode {
                    let slot = node * replicasPerNode + gpuPack.pack[k] * slotsPerGPU + gpuPack.rank[k]
                    phy2log[slot] = mlogToLog[node * expertsPerNode + phyToMlog[k]]
                }
            }
            return phy2log
        }
    }

    /// Balanced packing of n items into k packs of exactly n/k: items by weight descending (equal
    /// weights keep index order), each to the lightest pack not yet full (lowest index on ties).
    struct Packing {
        var pack: [Int] = []
        var rank: [Int] = []
        var order: [Int] = []
        var sorted: [Double] = []
        var packWeight: [Double] = []
        var packItems: [Int] = []

        /// - Complexity: O(n² + n·k) worst case (n is a node's replicas: tens).
        mutating func pack(_ weights: [Double], into packs: Int) {
            let n = weights.count
            let capacity = n / packs
            if pack.count != n {
                pack = [Int](repeating: 0, count: n)
                rank = [Int](repeating: 0, count: n)
                order = [Int](repeating: 0, count: n)
                sorted = [Double](repeating: 0, count: n)
            }
            if packWeight.count != packs {
                packWeight = [Double](repeating: 0, count: packs)
                packItems = [Int](repeating: 0, count: packs)
            }
            weights.withUnsafeBufferPointer { w in
                order.withUnsafeMutableBufferPointer { order in
                    // Stable insertion sort by weight, descending, on (weight, index) pairs kept
                    // side by side (no indirect loads in the inner loop). n is tens of items;
                    // measured faster here than a merge sort or a binary insertion sort.
                    sorted.withUnsafeMutableBufferPointer { sorted in
                        for i in 0..<n {
                            let weight = w[i]
                            var j = i
                            while j > 0 && sorted[j - 1] < weight {
                                sorted[j] = sorted[j - 1]
                                order[j] = order[j - 1]
                                j -= 1
                            }
                            sorted[j] = weight
                            order[j] = i
                        }
                    }
                    packWeight.withUnsafeMutableBufferPointer { packWeight in
                        packItems.withUnsafeMutableBufferPointer { packItems in
                            for p in 0..<packs {
                                packWeight[p] = 0
                                packItems[p] = 0
                            }
                            pack.withUnsafeMutableBufferPointer { pack in
                                rank.withUnsafeMutableBufferPointer { rank in
                                    for item in order {
                                        var best = -1
                                        for p in 0..<packs where packItems[p] < capacity {
                                            if best < 0 || packWeight[p] < packWeight[best] { best = p }
                                        }
                                        pack[item] = best
                                        rank[item] = packItems[best]
                                        packWeight[best] += w[item]
                                        packItems[best] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

    }
}
