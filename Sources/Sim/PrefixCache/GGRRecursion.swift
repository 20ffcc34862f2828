// The recursive part of GGR over one chunk of rows. Each row's current column order lives in a
// flat array (`width` units per row); a recursion works on the columns from `from` on.


extension GGRPolicy {
    struct Recursion {
        let policy: GGRPolicy
        /// `cells[unit][row]`: value id.
        let cells: [[Int32]]
        let lengths: [Int]
        let width: Int
        /// `sequences[row · width + k]`: the unit at position k of the row.
        var sequences: [Int]
        // Scratch indexed by value id.
        var counts: [Int]
        var stamp: [Int]
        var stampValue = 0
        var touched: [Int32] = []

        init(policy: GGRPolicy, cells: [[Int32]], lengths: [Int], width: Int, initial: [Int], rows: Int) {
            self.policy = policy
            self.cells = cells
            self.lengths = lengths
            self.width = width
            sequences = [Int](repeating: 0, count: rows * width)
            for r in 0..<rows { for k in 0..<width { sequences[r * width + k] = initial[k] } }
            counts = [Int](repeating: 0, count: lengths.count)
            stamp = [Int](repeating: 0, count: lengths.count)
        }

        func sequence(of row: Int) -> [Int] { Array(sequences[(row * width) ..< ((row + 1) * width)]) }

        @inline(__always)
        func value(_ row: Int, _ position: Int) -> Int32 { cells[sequences[row * width + position]][row] }

        mutating func reorder(_ rows: [Int], from: Int, rowDepth: Int, fieldDepth: Int) {
            guard !rows.isEmpty, from < width else { return }
            if rowDepth >= policy.rowDepth || fieldDepth >= policy.fieldDepth {
                return orderByScore(rows, from: from)
            }
            // The value with the largest len² · (count − 1), first met on ties.
            for id in touched { counts[Int(id)] = 0 }
            touched.removeAll(keepingCapacity: true)
            for r in rows {
                for p in from..<width {
                    let id = value(r, p)
                    if counts[Int(id)] == 0 { touched.append(id) }
                    counts[Int(id)] += 1
                }
            }
            var best: Int32 = -1
            var bestScore = -1.0
            for id in touched {
                let length = Double(lengths[Int(id)])
                let score = length * length * Double(counts[Int(id)] - 1)
                if score > bestScore {
                    best = id
                    bestScore = score
                }
            }
            if bestScore < policy.threshold { return orderByScore(rows, from: from) }

            var grouped: [Int] = [], remaining: [Int] = []
            var holding: [Int] = [], others: [Int] = []
            for r in rows {
                holding.removeAll(keepingCapacity: true)
                others.removeAll(keepingCapacity: true)
                for p in from..<width {
                    let unit = sequences[r * width + p]
                    if cells[unit][r] == best { holding.append(unit) } else { others.append(unit) }
                }
                if holding.isEmpty {
                    remaining.append(r)
                    continue
                }
                grouped.append(r)
                for (k, unit) in (holding + others).enumerated() { sequences[r * width + from + k] = unit }
            }
            reorder(grouped, from: from + 1, rowDepth: rowDepth, fieldDepth: fieldDepth + 1)
            reorder(remaining, from: from, rowDepth: rowDepth + 1, fieldDepth: fieldDepth)
        }

        /// The fallback: the current columns by score on these rows (stable on ties).
        mutating func orderByScore(_ rows: [Int], from: Int) {
            let m = width - from
            guard m > 1 else { return }
            var scores = [Double](repeating: 0, count: m)
            for p in 0..<m {
                stampValue += 1
                var distinct = 0, total = 0
                for r in rows {
                    let id = Int(value(r, from + p))
                    total += lengths[id]
                    if stamp[id] != stampValue {
                        stamp[id] = stampValue
                        distinct += 1
                    }
                }
                scores[p] = ColumnStats.score(rows: rows.count, distinct: distinct,
                                              averageLength: Double(total) / Double(rows.count))
            }
            let permutation = (0..<m).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            var row = [Int](repeating: 0, count: m)
            for r in rows {
                for k in 0..<m { row[k] = sequences[r * width + from + permutation[k]] }
                for k in 0..<m { sequences[r * width + from + k] = row[k] }
            }
        }
    }
}
