import Sim
import Testing
import SimCore

/// Naive reference implementations the BLAS-backed operations are checked against.
private func naiveMatmul<T: BLASScalar>(_ a: [[T]], _ b: [[T]]) -> [[T]] {
    let m = a.count, k = b.count, n = b.first?.count ?? 0
    var c = Array(repeating: Array(repeating: T(0), count: n), count: m)
    for i in 0..<m { for j in 0..<n { var s = T(0); for p in 0..<k { s += a[i][p] * b[p][j] }; c[i][j] = s } }
    return c
}

private func transposed<T>(_ a: [[T]]) -> [[T]] {
    guard let columns = a.first?.count else { return [] }
    return (0..<columns).map { j in a.map { $0[j] } }
}

private func randomMatrix(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> [[Double]] {
    (0..<rows).map { _ in (0..<columns).map { _ in rng.nextUnitDouble() * 2 - 1 } }
}

private func close<T: BLASScalar>(_ a: [T], _ b: [T], tolerance: T) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

@Suite struct TensorTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesNaiveLoops(transposeA: Bool, transposeB: Bool) {
        var rng = SeededGenerator(seed: 1)
        let a = randomMatrix(7, 5, &rng), b = randomMatrix(5, 3, &rng), c0 = randomMatrix(7, 3, &rng)
        let ta = Tensor<Double>(rows: transposeA ? transposed(a) : a)
        let tb = Tensor<Double>(rows: transposeB ? transposed(b) : b)
        let product = Tensor.gemm(ta, tb, transposeA: transposeA, transposeB: transposeB,
                                  alpha: 2, beta: 0.5, c: Tensor(rows: c0))
        let expected = zip(naiveMatmul(a, b).flatMap { $0 }, c0.flatMap { $0 }).map { 2 * $0 + 0.5 * $1 }
        #expect(product.shape == [7, 3])
        #expect(close(product.scalars, expected, tolerance: 1e-12))
    }

    @Test func floatMatmulMatchesNaiveLoops() {
        var rng = SeededGenerator(seed: 2)
        let a = randomMatrix(4, 6, &rng).map { $0.map(Float.init) }
        let b = randomMatrix(6, 2, &rng).map { $0.map(Float.init) }
        let product = Tensor<Float>(rows: a).matmul(Tensor(rows: b))
        #expect(close(product.scalars, naiveMatmul(a, b).flatMap { $0 }, tolerance: 1e-5))
    }

    @Test(arguments: [false, true])
    func gemvMatchesNaiveLoops(transpose: Bool) {
        var rng = SeededGenerator(seed: 3)
        let a = randomMatrix(6, 4, &rng)
        let x = (0..<(transpose ? 6 : 4)).map { _ in rng.nextUnitDouble() }
        let y0 = (0..<(transpose ? 4 : 6)).map { _ in rng.nextUnitDouble() }
        let result = Tensor.gemv(Tensor(rows: a), Tensor(vector: x), transpose: transpose,
                                 alpha: -1, beta: 3, y: Tensor(vector: y0))
        let m = transpose ? transposed(a) : a
        let expected = m.enumerated().map { i, row in
            -zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } + 3 * y0[i]
        }
        #expect(close(result.scalars, expected, tolerance: 1e-12))
    }

    @Test func axpyAndDotMatchNaiveLoops() {
        var rng = SeededGenerator(seed: 4)
        let x = (0..<33).map { _ in rng.nextUnitDouble() }, y = (0..<33).map { _ in rng.nextUnitDouble() }
        var ty = Tensor(vector: y)
        ty.axpy(1.5, Tensor(vector: x))
        #expect(close(ty.scalars, zip(x, y).map { 1.5 * $0 + $1 }, tolerance: 1e-15))
        let dot = Tensor(vector: x).dot(Tensor(vector: y))
        #expect(abs(dot - zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-12)
        #expect(Tensor<Float>(vector: []).dot(Tensor(vector: [])) == 0)
    }

    @Test func solveRecoversKnownSolution() throws {
        var rng = SeededGenerator(seed: 5)
        var a = randomMatrix(8, 8, &rng)
        for i in 0..<8 { a[i][i] += 8 }  // diagonally dominant: well conditioned
        let x = (0..<8).map { Double($0) - 3.5 }
        let b = a.map { row in zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } }
        let solved = try Tensor.solve(Tensor(rows: a), Tensor(vector: b))
        #expect(close(solved.scalars, x, tolerance: 1e-10))

        // Several right-hand sides at once.
        let rhs = Tensor<Double>(rows: b.map { [$0, 2 * $0] })
        let both = try Tensor.solve(Tensor(rows: a), rhs)
        #expect(close(both.scalars, x.flatMap { [$0, 2 * $0] }, tolerance: 1e-10))
    }

    @Test func solveRejectsSingularMatrix() {
        let singular = Tensor<Double>(rows: [[1, 2], [2, 4]])
        #expect(throws: SimError.self) { try Tensor.solve(singular, Tensor(vector: [1, 2])) }
    }

    @Test func blasRunsSingleThreaded() {
        // Even after someone raised the thread count, every operation pins it back to one.
        // (Meaningful only without OPENBLAS_NUM_THREADS=1, which caps OpenBLAS at one thread;
        // the test script leaves it unset.)
        BLASThreads.setForTesting(2)
        _ = Tensor<Double>(vector: [1, 2]).dot(Tensor(vector: [3, 4]))
        #expect(BLASThreads.current == 1)
    }

    @Test func emptyOperandsAreHandled() {
        let empty = Tensor<Double>(repeating: 0, shape: [3, 0])
        let product = Tensor.gemm(empty, Tensor(repeating: 0, shape: [0, 2]))
        #expect(product == Tensor(repeating: 0, shape: [3, 2]))
        #expect(Tensor<Double>.identity(3)[1, 1] == 1 && Tensor<Double>.identity(3)[0, 1] == 0)
    }
}
