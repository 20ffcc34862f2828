import CBLAS

/// OpenBLAS threading for evaluations.
///
/// Evaluations run one per core in parallel, so a BLAS call must not spawn its own thread pool:
/// that would oversubscribe the cores and make timings noisy. Every tensor operation calls
/// `ensureSingleThreaded()` first.
public enum BLASThreads {
    /// Pins OpenBLAS to one thread. O(1): a read of OpenBLAS's thread count, and a write only
    /// when something changed it.
    @inline(__always)
    public static func ensureSingleThreaded() {
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }

    /// Changes the thread count, so a test can check that operations pin it back.
    public static func setForTesting(_ threads: Int) { openblas_set_num_threads(Int32(threads)) }

    /// The number of threads OpenBLAS currently uses.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
