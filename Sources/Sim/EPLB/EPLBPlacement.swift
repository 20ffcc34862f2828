import CandidateAPI
import SimCore

/// A validated placement with the maps the simulator derives from `phy2log`.
public struct EPLBPlacement: Sendable, Equatable {
    /// `phy2log[layer][slot]`: the logical expert of each physical slot.
    public var phy2log: [[Int]]
    /// `logcnt[layer][expert]`: replicas of each expert (≥ 1, summing to R per layer).
    public var logcnt: [[Int]]
    /// `log2phy[layer][expert][k]`: the slots of each expert in increasing order, padded with
    /// -1 to the largest replica count.
    public var log2phy: [[[Int]]]

    /// Checks `phy2log` against the problem's shape and derives the other maps.
    ///
    /// - Throws: `SimError.invalidParameter` for a wrong shape, an expert index out of range, or
    ///   an expert with no replica.
    /// - Complexity: O(layers × replicas).
    public init(phy2log: [[Int]], layers: Int, experts: Int, replicas: Int) throws {
        guard phy2log.count == layers else {
            throw SimError.invalidParameter(name: "phy2log", value: "\(phy2log.count) layers",
                                            reason: "expected \(layers) layers")
        }
        var logcnt: [[Int]] = []
        logcnt.reserveCapacity(layers)
        for (layer, slots) in phy2log.enumerated() {
            guard slots.count == replicas else {
                throw SimError.invalidParameter(name: "phy2log", value: "layer \(layer) has \(slots.count) slots",
                                                reason: "expected \(replicas)")
            }
            var counts = [Int](repeating: 0, count: experts)
            for (slot, expert) in slots.enumerated() {
                guard expert >= 0 && expert < experts else {
                    throw SimError.invalidParameter(name: "phy2log", value: "layer \(layer) slot \(slot) = \(expert)",
                                                    reason: "expert index not in 0..<\(experts)")
                }
                counts[expert] += 1
            }
            if let missing = counts.firstIndex(of: 0) {
                throw SimError.invalidParameter(name: "phy2log", value: "layer \(layer) expert \(missing)",
                                                reason: "has no replica")
            }
            logcnt.append(counts)
        }
        let maxcnt = logcnt.lazy.flatMap { $0 }.max() ?? 0
        var log2phy: [[[Int]]] = []
        for (layer, slots) in phy2log.enumerated() {
            var maps = [[Int]](repeating: [], count: experts)
            for (slot, expert) in slots.enumerated() { maps[expert].append(slot) }
            log2phy.append(maps.map { $0 + [Int](repeating: -1, count: maxcnt - $0.count) })
            _ = layer
        }
        self.phy2log = phy2log
        self.logcnt = logcnt
        self.log2phy = log2phy
    }
}

/// Balancedness of a placement on a load: Σ over layers of the mean load / Σ over layers of the
/// max load, where a slot carries its expert's load divided by the expert's replica count and a
/// GPU the sum of its slots. 1 is perfect balance.
public struct EPLBBalancedness: Sendable, Equatable {
    /// Per GPU (the paper's number).
    public var gpu: Double
    /// Per slot.
    public var slot: Double

    /// - Complexity: O(layers × replicas).
    public init(placement: EPLBPlacement, weights: [[Double]], gpus: Int) {
        var gpuMean = 0.0, gpuMax = 0.0, slotMean = 0.0, slotMax = 0.0
        for (layer, slots) in placement.phy2log.enumerated() {
            let load = weights[layer]
            let counts = placement.logcnt[layer]
            let perGPU = slots.count / gpus
            var layerSum = 0.0, layerSlotMax = 0.0, layerGPUMax = 0.0
            for g in 0..<gpus {
                var gpuLoad = 0.0
                for slot in (g * perGPU) ..< ((g + 1) * perGPU) {
                    let expert = slots[slot]
                    let slotLoad = load[expert] / Double(counts[expert])
                    gpuLoad += slotLoad
                    layerSlotMax = max(layerSlotMax, slotLoad)
                }
                layerSum += gpuLoad
                layerGPUMax = max(layerGPUMax, gpuLoad)
            }
            gpuMean += layerSum / Double(gpus)
            gpuMax += layerGPUMax
            slotMean += layerSum / Double(slots.count)
            slotMax += layerSlotMax
        }
        gpu = gpuMax > 0 ? gpuMean / gpuMax : 1
        slot = slotMax > 0 ? slotMean / slotMax : 1
    }
}
