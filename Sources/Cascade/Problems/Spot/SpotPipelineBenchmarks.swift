import Foundation
import Sim
import SimCore

/// The candidate pipeline, measured on the spot template: its compile, a cache hit, the
/// sandbox's start, and a full sandboxed evaluation (excluding compile).
public struct CandidatePipelineBench {
    public var runs: Int
    public var allowUnsafe: Bool
    public var catalog: InputCatalog

    public init(runs: Int, allowUnsafe: Bool, catalog: InputCatalog) {
        self.runs = runs
        self.allowUnsafe = allowUnsafe
        self.catalog = catalog
    }

    /// The rows, or none and why when this machine cannot sandbox.
    public func rows() throws -> (rows: [BenchRow], skipped: String?) {
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox.make(allowUnsafe: allowUnsafe, limits: SandboxLimits())
        } catch let error as CascadeError {
            return ([], "skipping candidate workloads: \(error)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let source = SpotProblem().template

        // Every timed build compiles a source not in the cache (the template and a comment naming
        // the build), both pipelines side by side in alternating order, in one cache: its
        // planned jobs and module cache are made by an untimed first build of each, as in any
        // run after a machine's first.
        let toolchain = try CandidateToolchain.locate(cacheRoot: scratch)
        let compileRoot = scratch.appendingPathComponent("compiles")
        var wall: [CompilePipeline: [Double]] = [:], cpu: [CompilePipeline: [Double]] = [:]
        for run in 0...runs {
            for pipeline in run % 2 == 0 ? CompilePipeline.allCases : CompilePipeline.allCases.reversed() {
                var compiler = CandidateCompiler(toolchain: toolchain, cacheRoot: compileRoot)
                compiler.pipeline = pipeline
                let built = try compiler.compile(source: source + "\n// bench build \(run) \(pipeline.rawValue)\n", problem: .spot)
                guard case .success(let compiled) = built, !compiled.cached else {
                    throw CascadeError.system("the spot template did not compile")
                }
                // A row must time the pipeline it names.
                guard compiled.pipeline == pipeline else {
                    throw CascadeError.system("the spot template was built by \(compiled.pipeline?.rawValue ?? "the cache"), "
                        + "not \(pipeline.rawValue): the drivers' plans could not be taken on this machine")
                }
                if run > 0 {
                    wall[pipeline, default: []].append(compiled.seconds)
                    cpu[pipeline, default: []].append(compiled.compilerCPUSeconds)
                }
            }
        }
        let compiler = CandidateCompiler(toolchain: toolchain, cacheRoot: scratch.appendingPathComponent("warm"))
        guard case .success(let compiled) = try compiler.compile(source: source, problem: .spot) else {
            throw CascadeError.system("the spot template did not compile")
        }
        let hit = try BenchSamples.wallTime(runs: runs) { try compiler.compile(source: source, problem: .spot) }

        var rows: [BenchRow] = []
        for pipeline in CompilePipeline.allCases {
            rows.append(BenchRow("candidate compile, spot template (-O, not cached), \(pipeline.rawValue)", clock: "wall",
                                 BenchSamples(samples: wall[pipeline] ?? [])))
            // The compile in CPU time: its processes' user + system seconds, from their rusage.
            rows.append(BenchRow("candidate compile, spot template, \(pipeline.rawValue), compiler processes (user + sys)",
                                 clock: "cpu", BenchSamples(samples: cpu[pipeline] ?? [])))
        }
        rows.append(BenchRow("candidate compile, cache hit", clock: "wall", hit))
        rows += try startRows(compiled.executable)
        var sets: [(String, SpotScenarioSet)] = []
        if let data = try? catalog.referenceData() {
            sets.append(("adrs-1080", try SpotScenarioSet.load(
                from: data.appendingPathComponent("spot/single_region/scenarios-adrs-1080.json"))))
        }
        let search = try SpotScenarioSet.load(from: SpotProblem.scenarioFile(nil, catalog: catalog))
        sets.append((search.name, search))
        for (name, set) in sets {
            var meanCost = 0.0
            var ticks = 0
            let m = try BenchSamples.wallTime(runs: runs, sink: { (score: SpotSetResult) in
                meanCost = score.meanCost
                ticks = score.results.reduce(0) { $0 + $1.ticks }
            }) { () throws -> SpotSetResult in
                let session = try sandbox.start(executable: compiled.executable)
                switch SpotCandidateRunner(set: set).run(session) {
                case .success(let score): return score
                case .failure(let failure): throw CascadeError.system("the spot template failed: \(failure.message)")
                }
            }
            rows.append(BenchRow("spot \(name) greedy template, sandboxed (\(sandbox.mode.rawValue))", clock: "wall", m,
                                  scenarios: set.scenarios.count, ticks: ticks, meanCost: meanCost))
        }
        return (rows, nil)
    }

    /// The sandbox's start: from the launcher's spawn to the candidate's first answer (its
    /// hello), with the memory cgroup off and on (where the machine allows one); and the whole
    /// cycle a level pays, the teardown (kill, reap, sweep by uid, removals) included.
    private func startRows(_ executable: URL) throws -> [BenchRow] {
        var rows: [BenchRow] = []
        for cgroup in [false, true] {
            var limits = SandboxLimits()
            limits.memoryCgroup = cgroup
            guard let sandbox = try? Sandbox.make(allowUnsafe: allowUnsafe, limits: limits),
                  sandbox.mode == .namespaces, sandbox.limits.memoryCgroup == cgroup else { continue }
            var samples: [Double] = [], cycles: [Double] = []
            for _ in 0..<max(runs, 20) {
                let begin = monotonicSeconds()
                do {
                    let session = try sandbox.start(executable: executable)
                    if let failure = session.awaitFirstAnswer() {
                        throw CascadeError.system("the spot template did not start: \(failure.message)")
                    }
                    samples.append(monotonicSeconds() - begin)
                    session.killAndReap()
                }  // the session's end: its processes swept, its folder and cgroup removed
                cycles.append(monotonicSeconds() - begin)
            }
            let memory = "memory cgroup \(cgroup ? "on" : "off")"
            rows.append(BenchRow("sandbox start, spawn to first answer (\(memory))", clock: "wall", BenchSamples(samples: samples)))
            rows.append(BenchRow("sandbox start and teardown, a level's whole fixed cost (\(memory))", clock: "wall",
                                 BenchSamples(samples: cycles)))
        }
        return rows
    }
}
