// sim-cascade candidate: eplb (MoE expert placement).
// Define `Candidate: ExpertPlacer`. `place` receives per-layer expert loads and the cluster
// shape and returns phy2log[layer][slot] (GPU g owns slots g·R/P ..< (g+1)·R/P). Every
// expert needs a slot. The placement computed from one window is scored on the next.
import CandidateAPI

struct Candidate: ExpertPlacer {
    init() {}

    mutating func place(_ input: EPLBInput) -> [[Int]] {
        // EVOLVE-BLOCK-START
        let hierarchical = input.groups % input.nodes == 0
        let groups = hierarchical ? input.groups : 1, nodes = hierarchical ? input.nodes : 1
        let experts = input.experts, replicas = input.replicas, gpus = input.gpus
        let groupSize = experts / groups, groupsPerNode = groups / nodes
        let expertsPerNode = experts / nodes, replicasPerNode = replicas / nodes
        let gpusPerNode = gpus / nodes, slotsPerGPU = replicas / gpus

        // Balanced packing: heaviest first, each to the lightest pack that is not full.
        func pack(_ weights: [Double], _ packs: Int) -> (pack: [Int], rank: [Int]) {
            let order = weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) }
            var load = [Double](repeating: 0, count: packs), items = [Int](repeating: 0, count: packs)
            var pack = [Int](repeating: 0, count: weights.count), rank = pack
            for item in order {
                var best = -1
                for p in 0..<packs where items[p] < weights.count / packs {
                    if best < 0 || load[p] < load[best] { best = p }
                }
                pack[item] = best
                rank[item] = items[best]
                load[best] += weights[item]
                items[best] += 1
            }
            return (pack, rank)
        }

        return input.weights.map { weight in
            let groupLoad = (0..<groups).map { g in (0..<groupSize).reduce(0.0) { $0 + weight[g * groupSize + $1] } }
            let (groupPack, groupRank) = pack(groupLoad, nodes)
            var mlogToLog = [Int](repeating: 0, count: experts)
            for g in 0..<groups {
                for j in 0..<groupSize {
                    mlogToLog[(groupPack[g] * groupsPerNode + groupRank[g]) * groupSize + j] = g * groupSize + j
                }
            }
            var phy2log = [Int](repeating: 0, count: replicas)
            for node in 0..<nodes {
                let load = (0..<expertsPerNode).map { weight[mlogToLog[node * expertsPerNode + $0]] }
                var count = [Int](repeating: 1, count: expertsPerNode)
                var phyToMlog = Array(0..<expertsPerNode)
                for _ in expertsPerNode..<replicasPerNode {
                    var best = 0
                    for k in 1..<expertsPerNode where load[k] / Double(count[k]) > load[best] / Double(count[best]) {
                        best = k
                    }
                    phyToMlog.append(best)
                    count[best] += 1
                }
                let (gpu, rank) = pack(phyToMlog.map { load[$0] / Double(count[$0]) }, gpusPerNode)
                for k in 0..<replicasPerNode {
                    phy2log[node * replicasPerNode + gpu[k] * slotsPerGPU + rank[k]] =
                        mlogToLog[node * expertsPerNode + phyToMlog[k]]
                }
            }
            return phy2log
        }
        // EVOLVE-BLOCK-END
    }
}
