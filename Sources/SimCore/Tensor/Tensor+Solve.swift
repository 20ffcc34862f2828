extension Tensor {
    /// Solves `a · x = b` for square `a` by LU factorisation with partial pivoting.
    ///
    /// - Parameter b: a vector (one right-hand side) or an `n × r` matrix (r right-hand sides).
    /// - Returns: `x`, shaped like `b`.
    /// - Throws: `SimError.singularMatrix` when `a` has no unique solution.
    /// - Complexity: O(n³ + n² · r) through LAPACKE `?gesv`.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        precondition(a.rank == 2 && a.shape[0] == a.shape[1], "solve needs a square matrix")
        let n = a.shape[0]
        precondition(b.shape.first == n && b.rank <= 2, "solve: right-hand side must have \(n) rows")
        let nrhs = b.rank == 1 ? 1 : b.shape[1]
        if n == 0 || nrhs == 0 { return b }
        BLASThreads.ensureSingleThreaded()
        var lu = a.scalars
        var x = b
        var pivots = [Int32](repeating: 0, count: n)
        let info = lu.withUnsafeMutableBufferPointer { pa in
            pivots.withUnsafeMutableBufferPointer { pp in
                x.scalars.withUnsafeMutableBufferPointer { pb in
                    Scalar.gesv(n: n, nrhs: nrhs, a: pa.baseAddress!, lda: n,
                                pivots: pp.baseAddress!, b: pb.baseAddress!, ldb: nrhs)
                }
            }
        }
        precondition(info >= 0, "LAPACKE ?gesv rejected argument \(-info)")
        if info > 0 { throw SimError.singularMatrix(pivot: Int(info)) }
        return x
    }
}
