// The expert-parallelism load balancer (EPLB) problem as a candidate sees it: place replicas of
// the logical experts of an MoE model onto the physical slots of a GPU cluster.

/// One placement problem: per-layer expert loads and the cluster's shape.
public struct EPLBInput: Sendable, Equatable {
    /// `weights[layer][expert]`: the load (tokens) of each logical expert in the window the
    /// placement is computed from.
    public var weights: [[Double]]
    /// Physical slots per layer (R ≥ experts, a multiple of `gpus`).
    public var replicas: Int
    /// Expert groups: consecutive blocks of experts/groups experts.
    public var groups: Int
    public var nodes: Int
    /// GPUs in all; GPU g owns slots `g·R/gpus ..< (g+1)·R/gpus`.
    public var gpus: Int

    @inlinable
    public init(weights: [[Double]], replicas: Int, groups: Int, nodes: Int, gpus: Int) {
        self.weights = weights
        self.replicas = replicas
        self.groups = groups
        self.nodes = nodes
        self.gpus = gpus
    }

    @inlinable public var layers: Int { weights.count }
    @inlinable public var experts: Int { weights.first?.count ?? 0 }
}

/// An expert placer: returns `phy2log[layer][slot]`, the logical expert held by each physical
/// slot. Every expert needs at least one slot. The simulator derives replica counts and scores
/// the placement on the next window's loads.
///
/// One instance places every window of a load history, in order, so it may remember earlier
/// windows (to predict the next load) and its own earlier placements (moving an expert costs a
/// weight transfer in the serving simulation).
public protocol ExpertPlacer {
    init()
    mutating func place(_ input: EPLBInput) -> [[Int]]
}
