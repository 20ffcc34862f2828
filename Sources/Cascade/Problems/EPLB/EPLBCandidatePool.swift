/// Calibration candidates for expert placement: DeepSeek's EPLB (the template) behind a grid of
/// wrappers — a transform of the loads, an exponential moving average over windows (prediction
/// from history), and a sticky rule that keeps the previous placement unless the new one is
/// better balanced by more than a margin (fewer moved experts, which only the fine level
/// prices) — and at most 20 % deliberately bad ones (load-blind round robin, an invalid answer,
/// a crash).
public enum EPLBCandidatePool {
    public static func make(size: Int) -> [PoolCandidate] {
        var pool = [PoolCandidate(name: "deepseek (template)", origin: .baseline, source: CandidateProblem.eplb.template)]
        var variants: [PoolCandidate] = []
        let transforms = [("raw", "x"), ("sqrt", "x.squareRoot()"), ("squared", "x * x"), ("floor 0.25", "x + 0.25 * mean"),
                          ("floor 1", "x + mean")]
        for (transformName, transform) in transforms {
            for smoothing in ["0.0", "0.3", "0.6", "0.9"] {
                for margin in ["-1.0", "0.01", "0.03", "0.1", "0.3"] {
                    variants.append(PoolCandidate(
                        name: "deepseek loads=\(transformName) ema=\(smoothing)" + (margin == "-1.0" ? "" : " sticky=\(margin)"),
                        origin: .variant, source: wrapped(transform: transform, smoothing: smoothing, margin: margin)))
                }
            }
        }
        let bad = (0..<16).map { offset in
            PoolCandidate(name: "round robin, offset \(offset)", origin: .bad, source: CandidateProblem.eplb.template(withBlock: """
                return input.weights.map { _ in (0..<input.replicas).map { ($0 + \(offset)) % input.experts } }
                """))
        } + [PoolCandidate(name: "crash", origin: .bad, source: CandidateProblem.eplb.template(withBlock: "fatalError(\"deliberately bad\")")),
             PoolCandidate(name: "expert out of range", origin: .bad, source: CandidateProblem.eplb.template(withBlock: """
                return input.weights.map { _ in (0..<input.replicas).map { $0 } }
                """))]
        let badCount = min(size / 5, max(1, size / 6), bad.count)
        let wanted = min(variants.count, max(0, size - pool.count - badCount))
        pool += (0..<wanted).map { variants[$0 * variants.count / max(wanted, 1)] }
        return pool + bad.prefix(badCount)
    }

    /// The template's algorithm renamed `deepSeek`, behind a stateful `place`.
    static func wrapped(transform: String, smoothing: String, margin: String) -> String {
        let template = CandidateProblem.eplb.template
        let signature = "mutating func place(_ input: EPLBInput) -> [[Int]] {"
        precondition(template.contains(signature), "the EPLB template's place method")
        let wrapper = """
            var smoothed: [[Double]]? = nil
            var previous: [[Int]]? = nil

            mutating func place(_ input: EPLBInput) -> [[Int]] {
                let current = input.weights.map { layer -> [Double] in
                    let mean = layer.reduce(0, +) / Double(max(layer.count, 1))
                    return layer.map { x in \(transform) }
                }
                let lambda = \(smoothing)
                let predicted = smoothed.map { old in
                    zip(old, current).map { o, c in zip(o, c).map { lambda * $0 + (1 - lambda) * $1 } }
                } ?? current
                smoothed = predicted
                var adjusted = input
                adjusted.weights = predicted
                let fresh = deepSeek(adjusted)
                if let kept = previous, \(margin) >= 0,
                   balancedness(kept, input) >= balancedness(fresh, input) - \(margin) {
                    return kept
                }
                previous = fresh
                return fresh
            }

            /// The public metric of `placement` on `input`'s loads: Σ mean GPU load / Σ max GPU load.
            func balancedness(_ placement: [[Int]], _ input: EPLBInput) -> Double {
                var mean = 0.0, peak = 0.0
                let perGPU = input.replicas / input.gpus
                for (layer, slots) in placement.enumerated() {
                    var count = [Int](repeating: 0, count: input.experts)
                    for e in slots { count[e] += 1 }
                    var total = 0.0, top = 0.0
                    for g in 0..<input.gpus {
                        var load = 0.0
                        for s in (g * perGPU) ..< ((g + 1) * perGPU) { load += input.weights[layer][slots[s]] / Double(count[slots[s]]) }
                        total += load
                        top = max(top, load)
                    }
                    mean += total / Double(input.gpus)
                    peak += top
                }
                return peak > 0 ? mean / peak : 1
            }

            mutating func deepSeek(_ input: EPLBInput) -> [[Int]] {
            """
        let indented = wrapper.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated().map { $0.offset == 0 ? String($0.element) : "    " + $0.element }.joined(separator: "\n")
        return template.replacingOccurrences(of: signature, with: indented)
    }
}
