import CandidateAPI

// An independent re-implementation of the built-in greedy policy, with some private state.
struct Candidate: SpotPolicy {
    var decisions = 0
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        decisions += 1
        precondition(v.history.count == v.tick + 1, "history must hold ticks 0...tick")
        precondition(v.history.last == v.hasSpot, "the last history entry is the current tick")
        let remaining = v.taskDuration - v.workDone
        if remaining <= 1e-9 { return .none }
        let ticksLeft = ((v.deadline - v.elapsed) / v.gap).rounded(.down)
        let withOneRestart = ((remaining + v.restartOverhead) / v.gap).rounded(.up)
        let withTwoRestarts = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up)
        if withOneRestart >= ticksLeft { return .onDemand }
        if withTwoRestarts >= ticksLeft {
            return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand
        }
        return v.hasSpot ? .spot : .none
    }
}
