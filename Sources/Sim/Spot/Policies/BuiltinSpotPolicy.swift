import CandidateAPI
import SimCore

/// The built-in single-region policies, by their command-line names.
public enum BuiltinSpotPolicy: String, CaseIterable, Sendable {
    case greedy
    case uniformProgress = "uniform-progress"
    case onDemand = "on-demand"

    /// The policy called `name`.
    /// - Throws: `SimError.unknownPolicy` listing the built-in names.
    public init(named name: String) throws {
        guard let policy = BuiltinSpotPolicy(rawValue: name) else {
            throw SimError.unknownPolicy(name, known: Self.allCases.map(\.rawValue))
        }
        self = policy
    }

    /// Runs a fresh instance of this policy over one window.
    /// - Complexity: O(ticks).
    public func run(
        window: ArraySlice<UInt8>, gapSeconds: Double, job: SpotJob,
        prices: SpotPrices = .singleRegion, record: ((SpotTickRecord) -> Void)? = nil
    ) -> SpotRunResult {
        switch self {
        case .greedy: return Self.run(GreedyPolicy.self, window, gapSeconds, job, prices, record)
        case .uniformProgress: return Self.run(UniformProgressPolicy.self, window, gapSeconds, job, prices, record)
        case .onDemand: return Self.run(OnDemandPolicy.self, window, gapSeconds, job, prices, record)
        }
    }

    private static func run<P: SpotPolicy>(
        _ type: P.Type, _ window: ArraySlice<UInt8>, _ gap: Double, _ job: SpotJob,
        _ prices: SpotPrices, _ record: ((SpotTickRecord) -> Void)?
    ) -> SpotRunResult {
        var policy = P()
        return SpotSimulator.run(window: window, gapSeconds: gap, job: job, prices: prices,
                                 policy: &policy, record: record)
    }
}
