import CandidateAPI
import Foundation
import PostgresEngine
import Sim
import SimCore

/// Transaction scheduling: a scheduler orders each workload's transactions to minimise the
/// makespan under conflicts.
public struct TxnProblem: Problem {
    public typealias Inputs = [NamedTxnWorkload]
    public typealias Score = [TxnWorkloadScore]

    public init() {}

    public var name: String { "txn" }
    public var protocolName: String { "TxnScheduler" }
    public var driverType: String { "TxnSchedulerDriver" }
    public var apiSourceFiles: [String] { ["Sources/CandidateAPI/Txn.swift"] }
    public var template: String { CandidateTemplates.txn }
    public var fitness: LevelMetric { LevelMetric(name: "total_execution_makespan", lowerIsBetter: true) }
    public var defaultGates: [LevelGate] {
        [LevelGate(level: "cost_model", metric: "estimated_makespan", factor: 1.25),
         LevelGate(level: "coarse", metric: "total_makespan", factor: 1.10)]
    }
    public var itemNoun: String { "workloads" }
    public var notesKey: String { "workload_notes" }
    public var inputFiles: ProblemInputFiles {
        ProblemInputFiles(fileOption: "input", hasHeldOutSet: true, tracesFolder: Self.traces)
    }
    public var coarseRankingCaveat: String {
        "The coarse level is the public unit-time model: no workers, no lock waits, no aborts. Orders that "
            + "the public model scores alike can execute very differently (dispatch order decides which transaction "
            + "waits and which aborts), so the public makespan is a weak predictor of the executed one."
    }

    public var systemLevelNote: String {
        "The system level executes each candidate's schedules on PostgreSQL (a server `calibrate` starts on a unix socket "
            + "of its own; docs/txn-system.md), on the search set's workloads of at most \(TxnSystemLevel.maxTransactions) "
            + "transactions, each schedule several times: its value is the median in seconds, and its noise (spread between "
            + "runs) widens every interval."
    }

    static let traces = "traces/txn"

    /// A workload file as given (or in the reference data); without one, the embedded search
    /// workloads, or with `heldOut` the held-out ones.
    public static func workloadFile(_ path: String?, heldOut: Bool = false, catalog: InputCatalog) throws -> URL {
        if let path { return try catalog.dataFile(path) }
        return try catalog.packageFile("\(traces)/workloads-\(heldOut ? "heldout" : "default").json")
    }

    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<Inputs> {
        let url = try Self.workloadFile(request.file, heldOut: request.heldOut, catalog: catalog)
        return LoadedInputs(try TxnWorkloadFile.load(from: url), label: url.lastPathComponent)
    }

    public func levels(for inputs: Inputs) throws -> [any FidelityLevel] {
        // Bad PostgreSQL settings fail the system level when it runs, not the model levels.
        do {
            return TxnLevels.make(workloads: inputs, system: try TxnSystemLevel.settingsFromEnvironment())
        } catch let error as CascadeError {
            return TxnLevels.make(workloads: inputs, systemError: error)
        }
    }

    public func referencePolicy(for inputs: Inputs) -> String { "smf, seed 0 (the template)" }

    public func calibrationPool(size: Int) -> [PoolCandidate] { TxnCandidatePool.make(size: size) }

    public func encode(_ scores: [TxnWorkloadScore], of inputs: LoadedInputs<Inputs>, to encoder: Encoder) throws {
        struct Entry: Encodable {
            var makespan: Int
            var schedule: [Int]
            var transactions: Int
            var runtime_seconds: Double
            /// The fine level's execution (2PL with lock waits and deadlock detection) of the schedule.
            var execution_makespan: Double?
            var execution_throughput: Double?
            var aborts: Int?
            var lock_wait: Double?
            /// The system level's runs of the schedule on PostgreSQL (seconds; medians of the runs).
            var system_makespan: Double?
            var system_makespan_runs: [Double]?
            var system_throughput: Double?
            var system_aborts: Double?
            var system_latency_p50: Double?
            var system_latency_p99: Double?
        }
        var c = encoder.container(keyedBy: ReportKey.self)
        try c.encode(Dictionary(uniqueKeysWithValues: scores.map {
            ($0.name, Entry(makespan: $0.makespan, schedule: $0.schedule, transactions: $0.schedule.count,
                            runtime_seconds: $0.runtimeSeconds, execution_makespan: $0.execution?.makespan,
                            execution_throughput: $0.execution?.throughput, aborts: $0.execution?.aborts, lock_wait: $0.execution?.lockWait,
                            system_makespan: $0.system?.makespanSeconds, system_makespan_runs: $0.system?.runs.map(\.makespanSeconds),
                            system_throughput: $0.system?.throughput, system_aborts: $0.system?.aborts,
                            system_latency_p50: $0.system?.latencyP50, system_latency_p99: $0.system?.latencyP99))
        }), forKey: "workloads")
        let systems = scores.compactMap(\.system)
        if !systems.isEmpty && systems.count == scores.count {
            try c.encode(systems.reduce(0) { $0 + $1.makespanSeconds }, forKey: "total_system_makespan")
        }
        if scores.allSatisfy({ $0.execution != nil }) {
            let executed = scores.reduce(0) { $0 + $1.levelMakespan }
            try c.encode(executed, forKey: "total_execution_makespan")
            try c.encode(Double(scores.reduce(0) { $0 + $1.schedule.count }) / executed, forKey: "execution_throughput")
        }
        try c.encode(scores.reduce(0) { $0 + $1.makespan }, forKey: "total_makespan")
        try c.encode(scores.reduce(0) { $0 + $1.runtimeSeconds }, forKey: "runtime_seconds")
    }

    public func summary(_ scores: [TxnWorkloadScore], of inputs: LoadedInputs<Inputs>) -> [String] {
        scores.map { s in
            "\(s.name): makespan \(s.makespan), runtime \(fixed(s.runtimeSeconds * 1e3, 2)) ms"
                + (s.execution.map { "; executed (\(TxnExecutionModel().workers) workers, 2PL): makespan "
                    + "\(fixed($0.makespan, 1)), \($0.aborts) aborts" } ?? "")
                + (s.system.map { "; on PostgreSQL: makespan \(fixed($0.makespanSeconds * 1e3, 2)) ms (median of \($0.runs.count), "
                    + "spread \(fixed($0.makespanSpread * 100, 1)) %), \(fixed($0.aborts, 0)) aborts" } ?? "")
        } + ["total_makespan \(scores.reduce(0) { $0 + $1.makespan }) (public)"
                + (scores.allSatisfy { $0.execution != nil }
                    ? ", total_execution_makespan \(fixed(scores.reduce(0) { $0 + $1.levelMakespan }, 1)) (executed)" : "")]
    }

    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] {
        TxnWorkloadGenerator(manifest: try TxnWorkloadManifest.load(from: manifest)).files()
    }
}

extension CandidateProblem {
    public static let txn = CandidateProblem(TxnProblem())
}
