import CandidateAPI
import Sim
import Testing

/// The fine EPLB model on a small cluster: 4 experts, 8 slots on 4 GPUs in 2 nodes.
@Suite struct MoEStepSimulationTests {
    let shape = EPLBShape(replicas: 8, groups: 1, nodes: 2, gpus: 4)
    /// One layer; expert 0 carries most of the load.
    let load: [[Double]] = [[70, 10, 10, 10]]

    private func placement(_ slots: [Int]) throws -> EPLBPlacement {
        try EPLBPlacement(phy2log: [slots], layers: 1, experts: 4, replicas: 8)
    }

    @Test func spreadingTheHotExpertRaisesThroughput() throws {
        // Hot expert 0 on one GPU, against four replicas of it, one per GPU.
        let lumped = try placement([0, 0, 1, 1, 2, 2, 3, 3])
        let spread = try placement([0, 1, 0, 2, 0, 3, 0, 1])
        let windows = [load, load, load]
        let a = MoEStepSimulation.run(windows: windows, placements: [lumped, lumped], shape: shape)
        let b = MoEStepSimulation.run(windows: windows, placements: [spread, spread], shape: shape)
        #expect(b.throughput > a.throughput && b.p99StepSeconds < a.p99StepSeconds)
        #expect(a.steps == 2 * MoEStepModel().stepsPerWindow && a.movedExperts == 0 && a.movingSeconds == 0)
    }

    @Test func movingExpertsCostsWhatThePublicMetricIgnores() throws {
        let p = try placement([0, 1, 0, 2, 0, 3, 0, 1])
        // GPUs 1–3 hand their second expert on: 3 slots change, each GPU still holds one replica of 0.
        let rotated = try placement([0, 1, 0, 1, 0, 2, 0, 3])
        let windows = [load, load, load]
        let stay = MoEStepSimulation.run(windows: windows, placements: [p, p], shape: shape)
        let move = MoEStepSimulation.run(windows: windows, placements: [p, rotated], shape: shape)
        // Per GPU the loads are a permutation of each other: the public balancedness is equal.
        let b1 = EPLBBalancedness(placement: p, weights: load, gpus: 4), b2 = EPLBBalancedness(placement: rotated, weights: load, gpus: 4)
        #expect(abs(b1.gpu - b2.gpu) < 1e-12)
        #expect(move.movedExperts == 3 && move.movingSeconds > 0 && stay.movedExperts == 0)
        #expect(move.throughput < stay.throughput && move.p99StepSeconds > stay.p99StepSeconds)
    }

    @Test func theSimulationIsSeededAndDeterministic() throws {
        let p = try placement([0, 1, 0, 2, 0, 3, 0, 1])
        let windows = [load, load]
        #expect(MoEStepSimulation.run(windows: windows, placements: [p], shape: shape)
            == MoEStepSimulation.run(windows: windows, placements: [p], shape: shape))
        #expect(MoEStepSimulation.run(windows: windows, placements: [p], shape: shape, seed: 1)
            != MoEStepSimulation.run(windows: windows, placements: [p], shape: shape, seed: 0))
    }
}
