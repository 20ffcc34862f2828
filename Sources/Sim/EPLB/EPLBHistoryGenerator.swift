import Foundation
import SimCore

/// Generates expert-load histories in the public format, deterministically from a manifest.
///
/// Per layer, expert popularity is Zipf-like over a random ranking of the experts; it drifts by
/// blending towards a second ranking and back over `driftPeriod` records; bursts multiply one
/// expert's load by `burstFactor` for `burstLength` records. A record's expected loads are
/// `tokensPerRecord × topK × popularity`, with lognormal noise (σ = `noise`), rounded.
public struct EPLBHistoryManifest: Codable, Sendable, Equatable {
    public var generator: String
    public var seed: UInt64
    public var histories: [Spec]
    /// Seed of held-out histories (the same specs, written as `NAME-heldout.json`): inputs never
    /// seen during search.
    public var heldOutSeed: UInt64?

    enum CodingKeys: String, CodingKey {
        case generator, seed, histories
        case heldOutSeed = "held_out_seed"
    }

    /// `v3-history.json` → `v3-history-heldout.json`.
    public static func heldOutName(_ file: String) -> String {
        (file.hasSuffix(".json") ? String(file.dropLast(5)) : file) + "-heldout.json"
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var file: String
        public var layers: Int
        public var experts: Int
        public var records: Int
        /// Inference steps one record stands for (1 for per-step records).
        public var stepsPerRecord: Int
        public var tokensPerStep: Int
        public var topK: Int
        public var zipfExponent: Double
        public var driftPeriod: Int
        public var burstProbability: Double
        public var burstFactor: Double
        public var burstLength: Int
        public var noise: Double
        /// Written into the file so that it names its own shape and window.
        public var shape: EPLBShape
        public var window: Int

        enum CodingKeys: String, CodingKey {
            case file, layers, experts, records, stepsPerRecord = "steps_per_record", tokensPerStep = "tokens_per_step"
            case topK = "top_k", zipfExponent = "zipf_exponent", driftPeriod = "drift_period"
            case burstProbability = "burst_probability", burstFactor = "burst_factor", burstLength = "burst_length"
            case noise, shape, window
        }
    }

    public static let currentGenerator = "eplb-zipf-drift-burst/1"

    /// - Throws: `SimError.malformedFile` for an unknown generator or out-of-range values.
    public static func load(from url: URL) throws -> EPLBHistoryManifest {
        let manifest = try JSONFile.decode(EPLBHistoryManifest.self, from: url)
        func fail(_ reason: String) -> SimError { .malformedFile(url.path, reason: reason) }
        guard manifest.generator == currentGenerator else {
            throw fail("generator '\(manifest.generator)' is not '\(currentGenerator)'")
        }
        for spec in manifest.histories {
            guard SpotTraceManifest.isPlainFileName(spec.file), (1...512).contains(spec.layers),
                  (1...4096).contains(spec.experts), (1...100_000).contains(spec.records),
                  spec.layers * spec.experts * spec.records <= 50_000_000, spec.stepsPerRecord > 0, spec.tokensPerStep > 0,
                  spec.topK > 0, spec.driftPeriod > 0, spec.burstLength > 0, spec.window > 0,
                  spec.zipfExponent.isFinite, spec.zipfExponent >= 0, (0...1).contains(spec.burstProbability),
                  spec.burstFactor.isFinite, spec.burstFactor >= 1, spec.noise.isFinite, (0...2).contains(spec.noise) else {
                throw fail("\(spec.file): values out of range")
            }
            do {
                try DeepSeekEPLB.validate(spec.shape.input([[Double]](repeating: [Double](repeating: 1, count: spec.experts),
                                                                      count: 1)))
            } catch let error as SimError {
                throw fail("\(spec.file): \(error)")
            }
        }
        guard manifest.heldOutSeed != manifest.seed else { throw fail("held_out_seed must differ from seed") }
        return manifest
    }
}

public struct EPLBHistoryGenerator: Sendable {
    public var manifest: EPLBHistoryManifest

    public init(manifest: EPLBHistoryManifest) { self.manifest = manifest }

    /// Every history file's exact contents.
    /// - Complexity: O(layers × experts × records) per history.
    public func files() -> [GeneratedFile] {
        let search = manifest.histories.enumerated().map { index, spec in
            GeneratedFile(name: spec.file, contents: contents(spec, seed: manifest.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        }
        guard let heldOut = manifest.heldOutSeed else { return search }
        return search + manifest.histories.enumerated().map { index, spec in
            GeneratedFile(name: EPLBHistoryManifest.heldOutName(spec.file),
                          contents: contents(spec, seed: heldOut &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        }
    }

    func contents(_ spec: EPLBHistoryManifest.Spec, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        let zipf = (0..<spec.experts).map { 1 / _pow(Double($0 + 1), spec.zipfExponent) }
        func ranking() -> [Int] {
            var order = Array(0..<spec.experts)
            rng.shuffle(&order)
            return order
        }
        // rank[layer][expert]: an expert's place in each of two rankings.
        let first = (0..<spec.layers).map { _ in ranking() }
        let second = (0..<spec.layers).map { _ in ranking() }
        var burstLeft = [Int](repeating: 0, count: spec.layers)
        var burstExpert = [Int](repeating: 0, count: spec.layers)
        let tokens = Double(spec.tokensPerStep * spec.stepsPerRecord * spec.topK)

        var text = "{\"num_replicas\": \(spec.shape.replicas), \"num_groups\": \(spec.shape.groups), "
            + "\"num_nodes\": \(spec.shape.nodes), \"num_gpus\": \(spec.shape.gpus), \"window\": \(spec.window), "
            + "\"steps_per_record\": \(spec.stepsPerRecord), \"generator\": \"\(manifest.generator)\", \"load_history\": [\n"
        for record in 0..<spec.records {
            let phase = 2 * Double.pi * Double(record) / Double(spec.driftPeriod)
            let blend = (1 - _cos(phase)) / 2
            var layersText: [String] = []
            for layer in 0..<spec.layers {
                // A burst lasts burstLength records, this one included.
                let bursting: Bool
                if burstLeft[layer] > 0 {
                    burstLeft[layer] -= 1
                    bursting = true
                } else if rng.nextUnitDouble() < spec.burstProbability {
                    burstLeft[layer] = spec.burstLength - 1
                    burstExpert[layer] = rng.nextInt(below: spec.experts)
                    bursting = true
                } else {
                    bursting = false
                }
                var weights = (0..<spec.experts).map { e in
                    (1 - blend) * zipf[first[layer][e]] + blend * zipf[second[layer][e]]
                }
                if bursting { weights[burstExpert[layer]] *= spec.burstFactor }
                let total = weights.reduce(0, +)
                let loads = weights.map { w -> Int in
                    let noisy = tokens * w / total * _exp(spec.noise * rng.nextStandardNormal())
                    return Int(noisy.rounded())
                }
                layersText.append("[" + loads.map(String.init).joined(separator: ", ") + "]")
            }
            text += "{\"logical_expert_load\": [" + layersText.joined(separator: ",\n ") + "]}"
            text += record == spec.records - 1 ? "\n" : ",\n"
        }
        return text + "]}\n"
    }
}
