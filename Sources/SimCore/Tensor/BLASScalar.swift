import CBLAS
import CLAPACKE

/// A scalar type with BLAS and LAPACKE entry points: `Float` (s-routines) or `Double`
/// (d-routines). Row-major storage throughout.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
    static func axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    static func dot(n: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self
    /// Solves `A X = B` in place (B becomes X); returns LAPACK's `info`.
    static func gesv(
        n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, lda: Int,
        pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Self>, ldb: Int) -> Int32
}

@inline(__always)
private func transpose(_ flag: Bool) -> CBLAS_TRANSPOSE { flag ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transpose(transA), transpose(transB), blasint(m), blasint(n),
                    blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    public static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, transpose(trans), blasint(m), blasint(n), alpha, a,
                    blasint(lda), x, 1, beta, y, 1)
    }
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }
    public static func dot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasint(n), x, 1, y, 1)
    }
    public static func gesv(
        n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, lda: Int,
        pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Float>, ldb: Int
    ) -> Int32 {
        LAPACKE_sgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(nrhs), a, Int32(lda),
                      pivots, b, Int32(ldb))
    }
}

extension Double: BLASScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transpose(transA), transpose(transB), blasint(m), blasint(n),
                    blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    public static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasRowMajor, transpose(trans), blasint(m), blasint(n), alpha, a,
                    blasint(lda), x, 1, beta, y, 1)
    }
    public static func axpy(n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(n), alpha, x, 1, y, 1)
    }
    public static func dot(n: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasint(n), x, 1, y, 1)
    }
    public static func gesv(
        n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int,
        pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Double>, ldb: Int
    ) -> Int32 {
        LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(nrhs), a, Int32(lda),
                      pivots, b, Int32(ldb))
    }
}
