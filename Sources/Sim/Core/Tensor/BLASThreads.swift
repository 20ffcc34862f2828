import CBLAS

/// OpenBLAS threading for evaluations.
///
/// Evaluations run one per core in parallel, so a BLAS call must not spawn its own thread pool:
/// that would oversubscribe the cores and make timings noisy. Every tensor operation calls
/// `ensureSingleThreaded()` first; the underlying call happens once per process.
public enum BLASThreads {
    private static let configured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Pins OpenBLAS to one thread (idempotent; O(1) after the first call).
    @inline(__always)
    public static func ensureSingleThreaded() { _ = configured }

    /// The number of threads OpenBLAS currently uses.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
