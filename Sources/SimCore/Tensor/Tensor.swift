/// A dense, row-major tensor of `Float` or `Double` over one contiguous buffer.
///
/// Rank 1 (vectors) and rank 2 (matrices) are what the BLAS-backed operations accept; higher
/// ranks are storage only. Value semantics: copies share storage until one is mutated.
public struct Tensor<Scalar: BLASScalar>: Equatable, Sendable {
    /// Extent of each dimension; the product equals `scalars.count`.
    public private(set) var shape: [Int]
    /// The elements in row-major order.
    public var scalars: [Scalar]

    /// - Complexity: O(n) to check the shape against the element count.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) does not hold \(scalars.count) elements")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape with every element `value`.
    /// - Complexity: O(n).
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A rank-1 tensor.
    public init(vector: [Scalar]) { self.init(shape: [vector.count], scalars: vector) }

    /// A rank-2 tensor from equal-length rows.
    /// - Complexity: O(rows × columns).
    public init(rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows of unequal length")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Tensor {
        var t = Tensor(repeating: 0, shape: [n, n])
        for i in 0..<n { t.scalars[i * n + i] = 1 }
        return t
    }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    /// Rows of a matrix (rank 2).
    public var rowCount: Int { precondition(rank == 2, "not a matrix"); return shape[0] }
    /// Columns of a matrix (rank 2).
    public var columnCount: Int { precondition(rank == 2, "not a matrix"); return shape[1] }

    /// Element `(row, column)` of a matrix.
    /// - Complexity: O(1).
    public subscript(row: Int, column: Int) -> Scalar {
        get { scalars[row * shape[1] + column] }
        set { scalars[row * shape[1] + column] = newValue }
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }
}
