import CandidateAPI

// `Candidate` exists but does not conform to SpotPolicy.
struct Candidate {
    func decide(_ v: SpotView) -> Int { 2 }
}
