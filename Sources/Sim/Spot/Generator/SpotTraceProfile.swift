import SimCore

/// A two-state semi-Markov model of spot availability: alternating runs of available and
/// unavailable ticks, each run's length drawn from its state's `RunLengthModel`.
public struct SpotTraceProfile: Codable, Sendable, Equatable {
    /// Name of the generated traces' environment, e.g. `synthetic-us-west-2a_k80_1`.
    public var name: String
    /// The base trace the model was fitted to (relative to the reference data folder).
    public var fittedTo: String
    public var available: RunLengthModel
    public var unavailable: RunLengthModel

    enum CodingKeys: String, CodingKey {
        case name, fittedTo = "fitted_to", available, unavailable
    }

    public init(name: String, fittedTo: String, available: RunLengthModel, unavailable: RunLengthModel) {
        self.name = name
        self.fittedTo = fittedTo
        self.available = available
        self.unavailable = unavailable
    }

    /// Long-run share of unavailable ticks under the model.
    public var unavailableShare: Double {
        unavailable.meanLength / (available.meanLength + unavailable.meanLength)
    }

    /// Fits a profile to a trace: run lengths of each state, as maximal runs of equal entries
    /// (the first and last runs, cut by the trace's ends, count as they are).
    /// - Complexity: O(ticks).
    public static func fit(_ trace: SpotTrace, name: String, fittedTo: String) throws -> SpotTraceProfile {
        let runs = runLengths(trace.unavailable)
        guard !runs.available.isEmpty, !runs.unavailable.isEmpty else {
            throw SimError.malformedFile(fittedTo, reason: "needs both available and unavailable ticks to fit")
        }
        return SpotTraceProfile(name: name, fittedTo: fittedTo,
                                available: .fit(runs.available), unavailable: .fit(runs.unavailable))
    }

    /// Maximal runs of equal values in `data` (1 = unavailable), split by state.
    static func runLengths(_ data: [UInt8]) -> (available: [Int], unavailable: [Int]) {
        var available: [Int] = [], unavailable: [Int] = []
        var i = 0
        while i < data.count {
            var j = i
            while j < data.count && data[j] == data[i] { j += 1 }
            if data[i] == 0 { available.append(j - i) } else { unavailable.append(j - i) }
            i = j
        }
        return (available, unavailable)
    }

    /// Generates `ticks` ticks of availability (1 = unavailable).
    ///
    /// The first state is unavailable with probability `unavailableShare`; then runs alternate.
    /// - Complexity: O(ticks).
    public func generate(ticks: Int, using rng: inout SeededGenerator) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(ticks)
        var state: UInt8 = rng.nextUnitDouble() < unavailableShare ? 1 : 0
        while data.count < ticks {
            let model = state == 1 ? unavailable : available
            let length = min(model.sample(using: &rng), ticks - data.count)
            data.append(contentsOf: repeatElement(state, count: length))
            state ^= 1
        }
        return data
    }
}
