import Foundation
import SimCore

/// Generates OLTP-style transaction workloads in the public workload format, deterministically
/// from a manifest: YCSB-like (Zipfian keys, read/write mix), SmallBank-like (short transfers
/// over hot accounts) and TPC-C-like (new-order and payment on a few hot warehouse rows).
public struct TxnWorkloadManifest: Codable, Sendable, Equatable {
    public var generator: String
    public var seed: UInt64
    /// File name of the generated workload file, in the manifest's folder.
    public var file: String
    public var workloads: [Spec]
    /// The same workload specs from another seed: inputs never seen during search.
    public var heldOut: HeldOut?

    public struct HeldOut: Codable, Sendable, Equatable {
        public var file: String
        public var seed: UInt64
    }

    enum CodingKeys: String, CodingKey {
        case generator, seed, file, workloads
        case heldOut = "held_out"
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var name: String
        /// `ycsb`, `smallbank` or `tpcc`.
        public var kind: String
        public var transactions: Int
        /// ycsb: keys; smallbank: accounts; tpcc: items.
        public var keys: Int
        /// ycsb: Zipf exponent; smallbank: share of transactions on the hot accounts;
        /// tpcc: share of new-order transactions.
        public var skew: Double
        /// ycsb: operations per transaction (min, max); smallbank: hot accounts (first value);
        /// tpcc: warehouses (first value), districts per warehouse (second).
        public var sizes: [Int]
    }

    public static let currentGenerator = "txn-oltp/1"

    /// - Throws: `SimError.malformedFile` for an unknown generator or kind, or absurd sizes.
    public static func load(from url: URL) throws -> TxnWorkloadManifest {
        let manifest = try JSONFile.decode(TxnWorkloadManifest.self, from: url)
        func fail(_ reason: String) -> SimError { .malformedFile(url.path, reason: reason) }
        guard manifest.generator == currentGenerator else {
            throw fail("generator '\(manifest.generator)' is not '\(currentGenerator)'")
        }
        guard SpotTraceManifest.isPlainFileName(manifest.file), !manifest.workloads.isEmpty else {
            throw fail("file must be a plain file name and workloads non-empty")
        }
        if let heldOut = manifest.heldOut {
            guard SpotTraceManifest.isPlainFileName(heldOut.file), heldOut.file != manifest.file, heldOut.seed != manifest.seed else {
                throw fail("held_out needs its own plain file name and its own seed")
            }
        }
        for spec in manifest.workloads {
            guard ["ycsb", "smallbank", "tpcc"].contains(spec.kind) else { throw fail("\(spec.name): unknown kind '\(spec.kind)'") }
            guard (1...100_000).contains(spec.transactions), (2...10_000_000).contains(spec.keys),
                  spec.skew.isFinite, spec.skew >= 0, spec.sizes.count == 2,
                  spec.sizes.allSatisfy({ (1...10_000).contains($0) }), spec.sizes[0] <= spec.sizes[1] || spec.kind != "ycsb",
                  !spec.name.contains(where: \.isWhitespace) else {
                throw fail("\(spec.name): sizes out of range")
            }
        }
        return manifest
    }
}

public struct TxnWorkloadGenerator: Sendable {
    public var manifest: TxnWorkloadManifest

    public init(manifest: TxnWorkloadManifest) { self.manifest = manifest }

    /// The workload file, and the held-out one when the manifest plans it.
    public func files() -> [GeneratedFile] {
        [GeneratedFile(name: manifest.file, contents: contents(seed: manifest.seed))]
            + (manifest.heldOut.map { [GeneratedFile(name: $0.file, contents: contents(seed: $0.seed))] } ?? [])
    }

    /// A workload file's exact contents.
    /// - Complexity: O(total operations).
    public func contents(seed: UInt64) -> String {
        var parts: [String] = []
        for (w, spec) in manifest.workloads.enumerated() {
            var rng = SeededGenerator(seed: seed &+ UInt64(w) &* 0x9E37_79B9_7F4A_7C15)
            let zipf = spec.kind == "ycsb" ? ZipfSampler(count: spec.keys, exponent: spec.skew) : nil
            let transactions = (0..<spec.transactions).map { _ in
                switch spec.kind {
                case "ycsb": return ycsb(spec, zipf!, &rng)
                case "smallbank": return smallBank(spec, &rng)
                default: return tpcc(spec, &rng)
                }
            }
            let body = transactions.enumerated().map { "    \"txn\($0.offset)\": \"\($0.element)\"" }
            parts.append("  \"\(spec.name)\": {\n" + body.joined(separator: ",\n") + "\n  }")
        }
        return "{\n" + parts.joined(separator: ",\n") + "\n}\n"
    }

    /// 8–16 (sizes) operations on Zipf-distributed keys, half writes, one in ten a compute step.
    func ycsb(_ spec: TxnWorkloadManifest.Spec, _ zipf: ZipfSampler, _ rng: inout SeededGenerator) -> String {
        let count = spec.sizes[0] + rng.nextInt(below: spec.sizes[1] - spec.sizes[0] + 1)
        return (0..<count).map { _ in
            if rng.nextUnitDouble() < 0.1 { return "*" }
            let key = zipf.sample(&rng)
            return (rng.nextUnitDouble() < 0.5 ? "w-k" : "r-k") + "\(key)"
        }.joined(separator: " ")
    }

    /// Send-payment, deposit or balance on checking (`c`) and savings (`s`) accounts, a share
    /// `skew` of them on the `sizes[0]` hot accounts.
    func smallBank(_ spec: TxnWorkloadManifest.Spec, _ rng: inout SeededGenerator) -> String {
        func account() -> Int {
            let hot = spec.sizes[0]
            return rng.nextUnitDouble() < spec.skew ? rng.nextInt(below: hot) : hot + rng.nextInt(below: max(spec.keys - hot, 1))
        }
        let a = account()
        switch rng.nextInt(below: 3) {
        case 0:
            var b = account()
            if b == a { b = (a + 1) % spec.keys }
            return "r-c\(a) r-c\(b) w-c\(a) w-c\(b)"
        case 1:
            return "r-c\(a) * w-c\(a)"
        default:
            return "r-c\(a) r-s\(a) *"
        }
    }

    /// New-order (a share `skew`): read the warehouse, update the district, read 5–10 items and
    /// update their stock; else payment: update warehouse, district and customer rows.
    func tpcc(_ spec: TxnWorkloadManifest.Spec, _ rng: inout SeededGenerator) -> String {
        let w = rng.nextInt(below: spec.sizes[0])
        let d = rng.nextInt(below: spec.sizes[1])
        if rng.nextUnitDouble() < spec.skew {
            var ops = ["r-w\(w)", "r-d\(w).\(d)", "w-d\(w).\(d)", "*"]
            for _ in 0..<(5 + rng.nextInt(below: 6)) {
                let item = rng.nextInt(below: spec.keys)
                ops += ["r-i\(item)", "w-s\(w).\(item)"]
            }
            return ops.joined(separator: " ")
        }
        let c = rng.nextInt(below: 3000)
        return "w-w\(w) w-d\(w).\(d) r-c\(w).\(d).\(c) w-c\(w).\(d).\(c) *"
    }
}

/// Samples ranks 0..<count with probability ∝ 1 / (rank + 1)^exponent.
struct ZipfSampler {
    let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        var cumulative = [Double](repeating: 0, count: count)
        for i in 0..<count {
            total += 1 / _pow(Double(i + 1), exponent)
            cumulative[i] = total
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    /// - Complexity: O(log count).
    func sample(_ rng: inout SeededGenerator) -> Int {
        let u = rng.nextUnitDouble()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] <= u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
