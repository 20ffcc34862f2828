import CandidateAPI
import Foundation
import PostgresEngine
import Sim
import SimCore

/// The top of the txn cascade: the candidate's schedules executed on a real PostgreSQL server
/// (`TxnSystemEngine`) that this process starts on a unix socket of its own.
///
/// The candidate runs sandboxed as at every level and only returns its orders; the trusted
/// parent executes them. On a stated subset of the inputs (`subset`: the workloads of at most
/// `maxTransactions` transactions), each schedule `settings.runs` times; the metrics are the
/// medians, summed over the workloads, with the runs' spread beside them.
///
/// On demand (`onDemand`): it runs only when named (`--level system`, `--all-levels`, a gates
/// file's `cascade_levels`, `calibrate`), never by default — it costs seconds and needs the
/// PostgreSQL server programs (`EngineError.postgresMissing` says how to install them; exit 3).
public struct TxnSystemLevel: FidelityLevel {
    public let name = "system"
    public let workloads: [NamedTxnWorkload]
    /// Each workload's position in the inputs, for its seed (`TxnCandidateRunner.positions`).
    public let positions: [Int]
    public let settings: TxnSystemSettings
    /// Why the settings asked for cannot be used: thrown when the level runs.
    let settingsError: CascadeError?
    /// The engine (the process-wide one unless a test gives its own).
    let engine: @Sendable () throws -> TxnSystemEngine
    private let reference = ReferenceCache()

    /// Workloads of more transactions are left to the model levels.
    public static let maxTransactions = 300

    public init(workloads: [NamedTxnWorkload], settings: TxnSystemSettings = TxnSystemSettings(), settingsError: CascadeError? = nil,
                engine: @escaping @Sendable () throws -> TxnSystemEngine = { try TxnSystemEngine.shared() }) {
        self.settingsError = settingsError
        positions = Self.subsetPositions(workloads)
        self.workloads = positions.map { workloads[$0] }
        self.settings = settings
        self.engine = engine
    }

    /// The workloads of at most `maxTransactions` transactions, in input order; without any,
    /// the smallest one.
    public static func subset(_ workloads: [NamedTxnWorkload]) -> [NamedTxnWorkload] { subsetPositions(workloads).map { workloads[$0] } }

    /// The positions of `subset` in `workloads`.
    static func subsetPositions(_ workloads: [NamedTxnWorkload]) -> [Int] {
        let small = workloads.indices.filter { workloads[$0].workload.transactions.count <= maxTransactions }
        if !small.isEmpty || workloads.isEmpty { return small }
        return [workloads.indices.min { workloads[$0].workload.transactions.count < workloads[$1].workload.transactions.count }!]
    }

    public var onDemand: Bool { true }

    /// The defaults, with `SIM_CASCADE_PG_CONNECTIONS`, `SIM_CASCADE_PG_WORK_US` and
    /// `SIM_CASCADE_PG_RUNS` applied (`simulate txn --engine postgres` takes them as options).
    /// - Throws: `CascadeError.invalidBudget` for a value that does not parse or is out of range.
    public static func settingsFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TxnSystemSettings {
        var settings = TxnSystemSettings()
        for (name, path) in [("SIM_CASCADE_PG_CONNECTIONS", \TxnSystemSettings.connections),
                             ("SIM_CASCADE_PG_WORK_US", \.workMicroseconds), ("SIM_CASCADE_PG_RUNS", \.runs)] {
            guard let text = environment[name] else { continue }
            guard let value = Int(text) else { throw CascadeError.invalidBudget(name: name, value: text, reason: "expected an integer") }
            settings[keyPath: path] = value
        }
        if let problem = settings.problem {
            throw CascadeError.invalidBudget(name: "PostgreSQL settings", value: "\(settings.connections) connections, "
                + "\(settings.workMicroseconds) µs, \(settings.runs) runs", reason: problem)
        }
        return settings
    }

    public var metrics: [LevelMetric] {
        [LevelMetric(name: "system_makespan", lowerIsBetter: true), LevelMetric(name: "system_throughput", lowerIsBetter: false),
         LevelMetric(name: "system_aborts", lowerIsBetter: true), LevelMetric(name: "system_latency_p50", lowerIsBetter: true),
         LevelMetric(name: "system_latency_p99", lowerIsBetter: true), LevelMetric(name: "system_makespan_spread", lowerIsBetter: true)]
    }
    public var primaryMetric: String { "system_makespan" }

    /// Each workload's `order` measured on the engine.
    /// - Throws: `CascadeError.system` for any fault of the server or its programs (none is
    ///   the candidate's).
    func measure(_ named: NamedTxnWorkload, order: [Int]) throws -> TxnSystemMeasurement {
        do {
            return try engine().measure(named.workload, order: order, settings: settings)
        } catch let error as EngineError {
            throw CascadeError.system(error.description)
        }
    }

    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        if let settingsError { throw settingsError }
        let session = try sandbox.limited(to: budget).start(executable: candidate.executable)
        switch TxnCandidateRunner(workloads: workloads, positions: positions).run(session) {
        case .failure(let failure):
            return LevelResult(level: name, metrics: [:], failure: failure, seconds: monotonicSeconds() - session.startTime,
                               score: nil, artifacts: [], log: session.logText)
        case .success(var scores):
            for i in scores.indices { scores[i].system = try measure(workloads[i], order: scores[i].schedule) }
            return LevelResult(level: name, metrics: Self.metricValues(scores.map { $0.system! }), failure: nil,
                               seconds: monotonicSeconds() - session.startTime, score: CandidateScore(scores),
                               artifacts: zip(workloads, scores).map { Self.note($0.name, $1.system!) }, log: session.logText,
                               items: (workloads.count, workloads.count))
        }
    }

    static func metricValues(_ measurements: [TxnSystemMeasurement]) -> [String: Double] {
        let makespan = measurements.reduce(0) { $0 + $1.makespanSeconds }
        let transactions = measurements.reduce(0) { $0 + $1.transactions }
        return ["system_makespan": makespan, "system_throughput": makespan > 0 ? Double(transactions) / makespan : 0,
                "system_aborts": measurements.reduce(0) { $0 + $1.aborts },
                "system_latency_p50": measurements.map(\.latencyP50).max() ?? 0,
                "system_latency_p99": measurements.map(\.latencyP99).max() ?? 0,
                "system_makespan_spread": measurements.map(\.makespanSpread).max() ?? 0]
    }

    static func note(_ name: String, _ m: TxnSystemMeasurement) -> String {
        func ms(_ seconds: Double) -> String { String((seconds * 1e5).rounded() / 100) }
        return "\(name): PostgreSQL makespan \(ms(m.makespanSeconds)) ms (runs \(m.runs.map { ms($0.makespanSeconds) }.joined(separator: ", "))), "
            + "\(Int(m.aborts)) aborts, latency p50 \(ms(m.latencyP50)) ms, p99 \(ms(m.latencyP99)) ms"
    }

    /// The template's (smf, seed 0) figures on the server, measured at first use and kept; empty
    /// when the server cannot be used (a gate then has nothing to compare with and is skipped).
    public func referenceMetrics() -> [String: Double] {
        guard settingsError == nil else { return [:] }
        return reference.value {
            let measurements = try workloads.map { try measure($0, order: BuiltinTxnPolicy.smf.schedule($0.workload, seed: 0)) }
            return Self.metricValues(measurements)
        }
    }
}

/// A value computed once, under a lock (the level is a value type shared across threads).
private final class ReferenceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: [String: Double]?

    func value(_ compute: () throws -> [String: Double]) -> [String: Double] {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        guard let computed = try? compute() else { return [:] }
        cached = computed
        return computed
    }
}
