#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CandidateAPI

/// The candidate's driver, made by the harness compiled into the candidate's module (see
/// `CandidateProblem.harness`): the only symbol the host needs from the candidate.
@_silgen_name("sim_cascade_candidate_driver")
func candidateDriver() -> AnyObject

/// The entry point of every candidate executable. A candidate that brings its own `main` replaces
/// it and can only fail itself: the parent validates every answer (docs/architecture.md).
@_cdecl("main")
func hostMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    switch candidateDriver() {
    case let driver as SpotPolicyDriver: CandidateHost.serveSpot(driver)
    case let driver as MultiRegionPolicyDriver: CandidateHost.serveSpotMulti(driver)
    case let driver as ExpertPlacerDriver: CandidateHost.serveEPLB(driver)
    case let driver as FieldReordererDriver: CandidateHost.servePrefix(driver)
    case let driver as TxnSchedulerDriver: CandidateHost.serveTxn(driver)
    default: exit(3)  // a harness without a driver the host knows: let the parent see the exit
    }
}
