import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// The spot cascade through `sim-cascade eval` and `calibrate`: stages, gates, budgets and
    /// sequential gates. Nested in the serialized sandbox suite, so that suite's checks for
    /// leftover sandbox processes never see this one's.
    @Suite struct CascadeEval {
        @Test func cascadeRunsEveryStageForAGoodCandidate() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), []).json()
            #expect(json["valid"] as? Bool == true && json["rejected_at"] is NSNull)
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            #expect(stages.allSatisfy { $0["status"] as? String == "passed" })
            #expect(json["mean_cost"] is Double && (json["worst_scenarios"] as? [String])?.count == 5)
        }

        @Test func aGateStopsAnExpensiveCandidateBeforeTheFineLevel() throws {
            // On demand costs ~148 $ a scenario against greedy's ~102 $ at the coarse level (gate:
            // 1.10 ×); the cost model's merged ticks make greedy pay more, so its looser gate lets
            // it through.
            let candidate = try CandidateFixtures.materialize("always_on_demand")
            // The built-in default gates, whatever a calibration of this checkout recommends.
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "cost_model", "metric": "mean_cost", "factor": 1.25}, {"level": "coarse", "metric": "mean_cost", "factor": 1.1}]}"#.utf8).write(to: gates)
            let json = try CandidateFixtures.eval(candidate, ["--gates", gates.path]).json()
            #expect(json["valid"] as? Bool == false && json["rejected_at"] as? String == "coarse")
            let failure = try #require(json["failure"] as? [String: Any])
            #expect(failure["kind"] as? String == "rejected")
            #expect((failure["message"] as? String ?? "").hasPrefix("mean_cost "))
            #expect(json["mean_cost"] == nil)
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["status"] as? String } == ["passed", "rejected", "skipped"])

            let all = try CandidateFixtures.eval(candidate, ["--all-levels", "--gates", gates.path]).json()
            #expect(all["valid"] as? Bool == false && all["mean_cost"] == nil)
            #expect((all["stages"] as? [[String: Any]])?.map { $0["status"] as? String } == ["passed", "rejected", "passed"])

            let alone = try CandidateFixtures.eval(candidate, ["--level", "fine"]).json()
            #expect(alone["valid"] as? Bool == true && (alone["mean_cost"] as? Double ?? 0) > 140)
            #expect((alone["stages"] as? [[String: Any]])?.count == 1)
        }

        @Test func calibrateWritesAReportWhoseGatesEvalReads() throws {
            let folder = try TestPaths.temporaryDirectory()
            func subset(_ name: String, every: Int) throws -> URL {
                var file = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.spotTraces.appendingPathComponent(name))) as! [String: Any]
                file["scenarios"] = (file["scenarios"] as! [[String: Any]]).enumerated().filter { $0.offset % every == 0 }.map { row in
                    var row = row.element
                    row["base_trace"] = TestPaths.spotTraces.appendingPathComponent(row["base_trace"] as! String).path
                    return row
                }
                let url = folder.appendingPathComponent(name)
                try JSONSerialization.data(withJSONObject: file).write(to: url)
                return url
            }
            let search = try subset("scenarios-small.json", every: 24), heldOut = try subset("scenarios-small-heldout.json", every: 24)
            let out = folder.appendingPathComponent("reports")
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            let result = try CommandRunner.run(["calibrate", "--problem", "spot", "--pool", "12", "--scenarios", search.path,
                                                "--held-out", heldOut.path, "--out", out.path], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            for file in ["spot.md", "spot.svg", "spot.json"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
            }
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("spot.json"))) as! [String: Any]
            #expect(report["candidates"] as? Int == 12)
            let entries = try #require(report["entries"] as? [[String: Any]])
            #expect(entries.filter { $0["origin"] as? String == "bad" }.count <= 2)
            #expect((report["levels"] as? [[String: Any]])?.compactMap { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            let gates = try #require(report["recommended_gates"] as? [[String: Any]])
            #expect(gates.compactMap { $0["level"] as? String } == ["cost_model", "coarse"])
            #expect(gates.allSatisfy { ($0["factor"] as? Double ?? 0) >= 1 })
            let levels = try #require(report["recommended_levels"] as? [String])
            #expect(levels == ["fine"] || levels == ["cost_model", "coarse", "fine"])
            let budgets = try #require(report["recommended_budgets"] as? [[String: Any]])
            #expect(budgets.compactMap { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            #expect(budgets.allSatisfy { ($0["wall_seconds"] as? Double ?? 0) >= 10 })
            let sequential = try #require(report["sequential"] as? [String: Any])
            #expect((sequential["agree"] as? Int ?? 0) + (sequential["stopped_only_sequentially"] as? [Any] ?? []).count
                + (sequential["passed_only_sequentially"] as? [Any] ?? []).count == 12)
            #expect(try String(contentsOf: out.appendingPathComponent("spot.svg"), encoding: .utf8).hasPrefix("<svg"))

            // eval takes the report's gates.
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--gates", out.appendingPathComponent("spot.json").path]).json()
            let coarse = try #require((json["stages"] as? [[String: Any]])?.first { $0["level"] as? String == "coarse" })
            let factor = try #require(gates.first { $0["level"] as? String == "coarse" }?["factor"] as? Double)
            let reference = try #require(coarse["reference"] as? Double)
            #expect(abs((coarse["threshold"] as? Double ?? 0) - factor * reference) < 1e-9)
        }

        @Test(arguments: ["txn", "prefix", "eplb", "spot-multi"])
        func calibrateBuildsACompilingPoolForEveryProblem(problem: String) throws {
            let out = try TestPaths.temporaryDirectory().appendingPathComponent("reports")
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            // txn against its fine level: its system level (PostgreSQL) has a test of its own.
            let result = try CommandRunner.run(["calibrate", "--problem", problem, "--pool", "10", "--out", out.path]
                                                + (problem == "txn" ? ["--target", "fine"] : []), environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(problem).json"))) as! [String: Any]
            let entries = try #require(report["entries"] as? [[String: Any]])
            // Every candidate but the deliberately bad ones compiles and is valid at the fine level.
            for entry in entries where entry["origin"] as? String != "bad" {
                #expect((entry["levels"] as? [String: [String: Any]])?["fine"]?["valid"] as? Bool == true, "\(entry["name"] ?? "")")
            }
            #expect(report["lower_is_better"] as? Bool == (problem == "txn" || problem == "spot-multi"))
            // The template passes the gates its own calibration recommends.
            let eval = try CandidateFixtures.eval(try CandidateFixtures.template(problem),
                                                  ["--problem", problem, "--gates", out.appendingPathComponent("\(problem).json").path])
            #expect(eval.status == 0, "\(eval.stderr)")
            let json = try eval.json()
            #expect(json["valid"] as? Bool == true && json["rejected_at"] is NSNull, "\(json["failure"] ?? "")")
        }

        @Test func cascadeOptionsAreCheckedBeforeCompiling() throws {
            // A candidate that does not compile still gets exit 2 for a bad option, not a compile error.
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            let broken = try CandidateFixtures.materialize("compile_error")
            let result = try CommandRunner.run(["eval", broken.path, "--level", "medium"], environment: environment)
            #expect(result.status == 2 && result.stderr.contains("no such level"), "\(result.stderr)")
        }

        @Test func aCheapLevelAloneReportsNoFineScore() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--level", "coarse"]).json()
            #expect(json["valid"] as? Bool == true)
            #expect(json["mean_cost"] == nil && json["results"] == nil)
            let stage = try #require((json["stages"] as? [[String: Any]])?.first)
            #expect(stage["level"] as? String == "coarse" && (stage["metrics"] as? [String: Double])?["mean_cost"] != nil)
        }

        @Test func heldOutScoresOnTheOtherSet() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--held-out"]).json()
            #expect(json["valid"] as? Bool == true && json["scenario_set"] as? String == "small-heldout-spot")
        }

        /// Without `--inputs small` the spot levels run on the research-scale sets, generated
        /// into the cache at first use: 43,200 scenarios, a 1,152-scenario coarse sample (2.5 %
        /// of each stratum, rounded) and a probe per (environment, job, overhead) stratum.
        @Test func theResearchScaleSetsAreGeneratedAtFirstUse() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--inputs", "research", "--level", "coarse"]).json()
            #expect(json["valid"] as? Bool == true && json["inputs"] as? String == "search-spot", "\(json["inputs"] ?? "")")
            let stage = try #require((json["stages"] as? [[String: Any]])?.first)
            #expect(stage["items_total"] as? Int == 1152, "\(stage)")
            let probes = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--inputs", "research", "--level", "cost_model"]).json()
            #expect((probes["stages"] as? [[String: Any]])?.first?["items_total"] as? Int == 8 * 6 * 3)
            let both = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--inputs", "small", "--scenarios", "x.json"])
            #expect(both.status == 2 && both.stderr.contains("--inputs"), "\(both.stderr)")
        }

        @Test func badCascadeOptionsAreOneLineAndExitTwo() throws {
            let folder = try TestPaths.temporaryDirectory()
            let broken = folder.appendingPathComponent("gates.json")
            try Data("{".utf8).write(to: broken)
            let unknownMetric = folder.appendingPathComponent("metric.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "p99", "factor": 1.1}]}"#.utf8).write(to: unknownMetric)
            let badSequential = folder.appendingPathComponent("sequential.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "mean_cost", "factor": 1.1, "sequential": {"confidence": 2}}]}"#.utf8)
                .write(to: badSequential)
            let sequentialMisses = folder.appendingPathComponent("misses.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "deadline_misses", "factor": 1.1, "sequential": {}}]}"#.utf8)
                .write(to: sequentialMisses)
            let candidate = try CandidateFixtures.template().path
            for (arguments, mention) in [
                (["--level", "medium"], "no such level"),
                (["--gates", broken.path], broken.path),
                (["--gates", unknownMetric.path], "coarse.p99"),
                (["--problem", "txn", "--sequential"], "sequential gate"),
                (["--level", "coarse", "--all-levels"], "--all-levels"),
                (["--budget", "medium=3"], "no such level"),
                (["--budget", "coarse=0"], "coarse=0"),
                (["--gates", badSequential.path], "sequential gate"),
                (["--sequential", "--all-levels"], "--sequential"),
                (["--gates", sequentialMisses.path], "only mean_cost"),
            ] {
                var environment = ProcessInfo.processInfo.environment
                environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
                let result = try CommandRunner.run(["eval", candidate] + arguments, environment: environment)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
            }
        }

        @Test func aSequentialGateDecidesOnPartOfTheScenarios() throws {
            let candidate = try CandidateFixtures.materialize("always_on_demand")
            let json = try CandidateFixtures.eval(candidate, ["--sequential"]).json()
            #expect(json["valid"] as? Bool == false && json["mean_cost"] == nil)
            let stage = try #require((json["stages"] as? [[String: Any]])?.first { $0["status"] as? String == "rejected" })
            let sequential = try #require(stage["sequential"] as? [String: Any])
            #expect(sequential["decision"] as? String == "reject")
            #expect((stage["items_run"] as? Int ?? .max) < (stage["items_total"] as? Int ?? 0))
            let message = (json["failure"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("[sequential: after"))
            // The template itself passes every sequential gate and is scored in full.
            let template = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--sequential"]).json()
            #expect(template["valid"] as? Bool == true && template["mean_cost"] is Double)
        }

        @Test func batchesRunOneAfterAnotherGiveTheSameResultsAsOneLockStep() throws {
            // A sequential gate on the last stage may not pass early, and a factor of 1000 never
            // rejects: every batch runs, one after another in one session.
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "fine", "metric": "mean_cost", "factor": 1000, "sequential": {"batches": 5, "seed": 3}}]}"#.utf8)
                .write(to: gates)
            let candidate = try CandidateFixtures.template()
            let batched = try CandidateFixtures.eval(candidate, ["--gates", gates.path]).json()
            let fine = try #require((batched["stages"] as? [[String: Any]])?.last)
            #expect((fine["sequential"] as? [String: Any])?["units_run"] as? Int == 16)
            #expect(fine["items_run"] as? Int == 1440 && batched["valid"] as? Bool == true)
            let plain = try CandidateFixtures.eval(candidate, ["--level", "fine"]).json()
            func costs(_ json: [String: Any]) -> [Double] {
                (json["results"] as? [[String: Any]] ?? []).compactMap { $0["cost"] as? Double }
            }
            #expect(costs(batched).count == 1440 && costs(batched) == costs(plain))
        }

        @Test func transactionsRunThroughThreeLevels() throws {
            // The built-in default gates, whatever a calibration of this checkout recommends.
            let folder = try TestPaths.temporaryDirectory()
            let gates = folder.appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "cost_model", "metric": "estimated_makespan", "factor": 1.25}, {"level": "coarse", "metric": "total_makespan", "factor": 1.1}]}"#.utf8).write(to: gates)
            let template = try CandidateFixtures.template("txn")
            let json = try CandidateFixtures.eval(template, ["--problem", "txn", "--gates", gates.path]).json()
            #expect(json["valid"] as? Bool == true && json["rejected_at"] is NSNull)
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            #expect(stages.allSatisfy { $0["status"] as? String == "passed" })
            // The public makespan stays where it was; the execution comes beside it.
            let smf = try CommandRunner.run(["simulate", "txn", "--policy", "smf", "--json"]).json()
            #expect(json["total_makespan"] as? Int == smf["total_makespan"] as? Int)
            let executed = try #require(json["total_execution_makespan"] as? Double)
            // One name per quantity: each stage names its own makespan, and only the coarse one is the public.
            let metrics = stages.map { Set(($0["metrics"] as? [String: Double] ?? [:]).keys) }
            #expect(metrics == [["estimated_makespan"], ["total_makespan"], ["total_execution_makespan", "execution_throughput", "aborts"]])
            #expect((stages[1]["metrics"] as? [String: Double])?["total_makespan"] == Double(json["total_makespan"] as? Int ?? -1))
            let fine = try #require((stages[2]["metrics"] as? [String: Double])?["total_execution_makespan"])
            #expect(executed == fine && (json["execution_throughput"] as? Double ?? 0) > 0 && json["throughput"] == nil)
            let workloads = try #require(json["workloads"] as? [String: [String: Any]])
            #expect(workloads.values.allSatisfy { $0["execution_makespan"] is Double && $0["execution_throughput"] is Double && $0["aborts"] is Int })
            #expect((json["workload_notes"] as? [String])?.count == workloads.count)

            // A gates file may drop cheap levels that cost more than they save.
            let fineOnly = folder.appendingPathComponent("fine-only.json")
            try Data(#"{"gates": [], "cascade_levels": ["fine"]}"#.utf8).write(to: fineOnly)
            let alone = try CandidateFixtures.eval(template, ["--problem", "txn", "--gates", fineOnly.path]).json()
            #expect((alone["stages"] as? [[String: Any]])?.map { $0["level"] as? String } == ["fine"])
            #expect(alone["total_execution_makespan"] as? Double == executed)
        }

        @Test func prefixTablesRunThroughThreeLevels() throws {
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "phr", "factor": 0.9}]}"#.utf8).write(to: gates)
            let json = try CandidateFixtures.eval(try CandidateFixtures.template("prefix"), ["--problem", "prefix", "--gates", gates.path]).json()
            #expect(json["valid"] as? Bool == true)
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            let fine = try #require(stages[2]["metrics"] as? [String: Double])
            #expect(fine.keys.sorted() == ["block_hit_rate", "phr", "saved_token_share"])
            // The public fields stay; the KV cache's come beside them.
            let tables = try #require(json["tables"] as? [[String: Any]])
            let builtIn = try TestPaths.smallPrefixTablesUnderGGR()
            #expect(tables.map { $0["hit_chars"] as? Int } == builtIn)
            #expect(tables.allSatisfy { ($0["block_hit_rate"] as? Double).map { $0 > 0 && $0 < 1 } == true && $0["evictions"] is Int })
            #expect((json["table_notes"] as? [String])?.count == tables.count)
        }

        /// A sandboxed reorderer receives beer.csv's merge group and the evaluator's arguments,
        /// and honours the group by keeping its fields adjacent and first.
        @Test(.needsReferenceData) func aPrefixCandidateSeesTheDatasetsMergeGroup() throws {
            let url = try TestPaths.temporaryDirectory().appendingPathComponent("candidate.swift")
            try """
                import CandidateAPI
                struct Candidate: FieldReorderer {
                    init() {}
                    mutating func reorder(_ table: PrefixTable) -> PrefixOrdering {
                        guard table.columnMerges == [[8, 6]], table.reorderArguments == .publicEvaluator else {
                            fatalError("merges \\(table.columnMerges)")
                        }
                        let first = table.columnMerges[0]
                        let order = first + table.columns.indices.filter { !first.contains($0) }
                        return PrefixOrdering(fieldOrders: table.rows.map { _ in order })
                    }
                }
                """.write(to: url, atomically: true, encoding: .utf8)
            let json = try CandidateFixtures.eval(url, ["--problem", "prefix", "--input", "beer.csv", "--level", "coarse"]).json()
            #expect(json["valid"] as? Bool == true, "\(json)")
        }

        @Test func expertPlacementRunsThroughThreeLevels() throws {
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "mean_balancedness_gpu", "factor": 0.9}]}"#.utf8).write(to: gates)
            let toy = TestPaths.repositoryRoot.appendingPathComponent("traces/eplb/toy-history.json").path
            let json = try CandidateFixtures.eval(try CandidateFixtures.template("eplb"),
                                                  ["--problem", "eplb", "--input", toy, "--gates", gates.path]).json()
            #expect(json["valid"] as? Bool == true)
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            // The public fields stay (equal to the built-in's); the serving simulation comes beside them.
            let deepseek = try CommandRunner.run(["simulate", "eplb", "--input", toy, "--json"]).json()
            #expect(json["mean_balancedness_gpu"] as? Double == deepseek["mean_balancedness_gpu"] as? Double)
            let serving = try #require(json["serving"] as? [String: Any])
            #expect((serving["throughput_tokens_per_second"] as? Double ?? 0) > 0 && serving["moved_experts"] is Int)
            #expect(!(json["serving_notes"] as? [String] ?? []).isEmpty)

            // One placer serves every window of a history, so it can remember its last placement.
            let counting = try CandidateFixtures.eval(try CandidateFixtures.materialize("eplb_counting"),
                                                      ["--problem", "eplb", "--input", toy, "--level", "fine"]).json()
            #expect((counting["serving"] as? [String: Any])?["moved_experts"] as? Int ?? 0 > 0, "\(counting)")
        }

        @Test func stageBudgetsStopASlowCandidateAtTheirOwnLimits() throws {
            let busy = try CandidateFixtures.materialize("busy_loop")
            let cpu = try CandidateFixtures.eval(busy, ["--budget", "cost_model=20,1", "--timeout", "30"]).json()
            #expect(cpu["rejected_at"] as? String == "cost_model")
            let failure = try #require(cpu["failure"] as? [String: Any])
            #expect(failure["kind"] as? String == "timeout" && (failure["message"] as? String ?? "").contains("CPU limit of 1 s"))
            // --timeout caps every stage's budget.
            let capped = try CandidateFixtures.eval(busy, ["--level", "coarse", "--budget", "coarse=100", "--timeout", "2"]).json()
            let message = (capped["failure"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("wall-clock limit of 2.0 s"), "\(message)")
        }
    }
}
