import CandidateAPI

// Puts every slot on expert 0: the others get no replica (their load would be dropped).
struct Candidate: ExpertPlacer {
    init() {}
    mutating func place(_ input: EPLBInput) -> [[Int]] {
        input.weights.map { _ in [Int](repeating: 0, count: input.replicas) }
    }
}
