extension Tensor {
    /// General matrix product `alpha · op(a) · op(b) + beta · c`, where `op` optionally transposes.
    ///
    /// - Parameter c: the accumulator; if `nil`, zero (and `beta` is ignored).
    /// - Complexity: O(m · n · k) through BLAS `?gemm`.
    public static func gemm(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
        alpha: Scalar = 1, beta: Scalar = 0, c: Tensor? = nil
    ) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "gemm needs matrices")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        var result = c ?? Tensor(repeating: 0, shape: [m, n])
        precondition(result.shape == [m, n], "gemm: accumulator shape \(result.shape) is not [\(m), \(n)]")
        if m == 0 || n == 0 { return result }
        if k == 0 {
            for i in result.scalars.indices { result.scalars[i] *= (c == nil ? 0 : beta) }
            return result
        }
        BLASThreads.ensureSingleThreaded()
        let effectiveBeta = c == nil ? 0 : beta
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                result.scalars.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                alpha: alpha, a: pa.baseAddress!, lda: a.shape[1],
                                b: pb.baseAddress!, ldb: b.shape[1], beta: effectiveBeta,
                                c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }

    /// Matrix product `self · other`.
    /// - Complexity: O(m · n · k).
    public func matmul(_ other: Tensor) -> Tensor { Tensor.gemm(self, other) }

    /// Matrix–vector product `alpha · op(a) · x + beta · y`.
    ///
    /// - Parameter y: the accumulator; if `nil`, zero.
    /// - Complexity: O(m · n) through BLAS `?gemv`.
    public static func gemv(
        _ a: Tensor, _ x: Tensor, transpose: Bool = false, alpha: Scalar = 1,
        beta: Scalar = 0, y: Tensor? = nil
    ) -> Tensor {
        precondition(a.rank == 2 && x.rank == 1, "gemv needs a matrix and a vector")
        let rows = a.shape[0], columns = a.shape[1]
        let inLength = transpose ? rows : columns
        let outLength = transpose ? columns : rows
        precondition(x.count == inLength, "gemv: vector length \(x.count) is not \(inLength)")
        var result = y ?? Tensor(repeating: 0, shape: [outLength])
        precondition(result.shape == [outLength], "gemv: accumulator length is not \(outLength)")
        if outLength == 0 { return result }
        if inLength == 0 {
            for i in result.scalars.indices { result.scalars[i] *= (y == nil ? 0 : beta) }
            return result
        }
        BLASThreads.ensureSingleThreaded()
        let effectiveBeta = y == nil ? 0 : beta
        a.scalars.withUnsafeBufferPointer { pa in
            x.scalars.withUnsafeBufferPointer { px in
                result.scalars.withUnsafeMutableBufferPointer { py in
                    Scalar.gemv(trans: transpose, m: rows, n: columns, alpha: alpha,
                                a: pa.baseAddress!, lda: columns, x: px.baseAddress!,
                                beta: effectiveBeta, y: py.baseAddress!)
                }
            }
        }
        return result
    }

    /// `self += alpha · x`, elementwise over tensors of equal element count.
    /// - Complexity: O(n) through BLAS `?axpy`.
    public mutating func axpy(_ alpha: Scalar, _ x: Tensor) {
        precondition(x.count == count, "axpy: \(x.count) elements added to \(count)")
        if count == 0 { return }
        BLASThreads.ensureSingleThreaded()
        let n = count
        x.scalars.withUnsafeBufferPointer { px in
            scalars.withUnsafeMutableBufferPointer { py in
                Scalar.axpy(n: n, alpha: alpha, x: px.baseAddress!, y: py.baseAddress!)
            }
        }
    }

    /// Inner product over all elements of two tensors of equal element count.
    /// - Complexity: O(n) through BLAS `?dot`.
    public func dot(_ other: Tensor) -> Scalar {
        precondition(other.count == count, "dot: \(other.count) elements against \(count)")
        if count == 0 { return 0 }
        BLASThreads.ensureSingleThreaded()
        return scalars.withUnsafeBufferPointer { px in
            other.scalars.withUnsafeBufferPointer { py in
                Scalar.dot(n: count, x: px.baseAddress!, y: py.baseAddress!)
            }
        }
    }
}
