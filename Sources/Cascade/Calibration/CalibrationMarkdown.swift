import SimCore

/// The human report of a calibration.
public enum CalibrationMarkdown {
    static func interval(_ i: CalibrationReport.Interval?) -> String {
        guard let i, let v = i.value else { return "n/a" }
        let ci = (i.low != nil && i.high != nil) ? " [\(fixed(i.low!, 3)), \(fixed(i.high!, 3))]" : ""
        return fixed(v, 3) + ci
    }

    public static func summary(_ r: CalibrationReport) -> String {
        let side = r.lowerIsBetter == false ? "≥" : "≤"
        let gates = r.recommendedGates.map { "\($0.level) \(side) \(fixed($0.factor, 3)) × reference" }.joined(separator: ", ")
        return """
            \(r.candidates) candidates; recommended gates: \(gates)
            cascade keeps \(fixed(r.cascadeTopDecileRecall * 100, 1)) % of the top decile and evaluates \
            \(fixed(r.candidatesPerCPUHourFactor, 2))× as many candidates per CPU-hour as the \(r.target) level alone\
            \(r.sequential.map { "; decided sequentially: \(fixed($0.candidatesPerCPUHourFactor, 2))×, top decile kept \(fixed($0.topDecileRecall * 100, 1)) %" } ?? "")
            """
    }

    /// Candidates whose costs at every level (and held out) coincide behave alike.
    static func distinctBehaviours(_ r: CalibrationReport) -> Int {
        Set(r.entries.map { e in
            (r.levels.map { e.levels[$0.level]?.value.map { fixed($0, 6) } ?? "-" }
                + [e.heldOut?.value.map { fixed($0, 6) } ?? "-"]).joined(separator: "|")
        }).count
    }

    /// The factor with compile included, where the report has it.
    static func withCompile(_ r: CalibrationReport) -> String {
        guard let compile = r.compileSeconds, let factor = r.candidatesPerCPUHourFactorWithCompile else { return "" }
        return "; with the pool's \(fixed(compile, 2)) s of compiles counted on both sides, \(fixed(factor, 2))×"
    }

    static func levelsNote(_ r: CalibrationReport) -> String {
        let target = r.target
        guard r.recommendedLevels == [target] else {
            return "The gated cascade is cheaper than the \(target) level alone, so `eval` runs every level."
        }
        // The measured reason: what a cheap level costs next to the fine one, and whether the
        // gates that keep the top decile still stop anything.
        let fine = r.levels.first { $0.level == target }?.runtimeMedianSeconds ?? 0
        let shares = r.levels.filter { $0.level != target }.map { level in
            "`\(level.level)` \(fine > 0 ? fixed(level.runtimeMedianSeconds / fine * 100, 0) : "–") %"
        }
        let why = r.cascadeTopDecileRecall < 0.95
            ? "the gates that keep the top decile at each level keep only \(fixed(r.cascadeTopDecileRecall * 100, 1)) % of it together"
            : "at gates loose enough to keep the top decile they stop too few candidates to pay for themselves"
        return "The gated cascade costs more than the \(target) level alone (\(fixed(r.candidatesPerCPUHourFactor, 2))×): a cheap "
            + "level's median run is \(shares.joined(separator: ", ")) of the \(target) level's, and \(why). "
            + "So the recommended levels are `\(target)` alone "
            + "(`recommended_levels`), and `eval` skips the cheap stages unless `--all-levels` or `--level` asks for them."
    }

    /// For a target above the fine level (a real system): the problem's account of it.
    static func systemNote(_ r: CalibrationReport) -> String {
        guard r.target != "fine", let note = CandidateProblem(rawValue: r.problem)?.definition.systemLevelNote, !note.isEmpty else {
            return ""
        }
        return " " + note
    }

    static func sequentialSection(_ r: CalibrationReport) -> String {
        guard let q = r.sequential else { return "" }
        let differ = q.stoppedOnlySequentially.map { "stopped only sequentially: \($0)" }
            + q.passedOnlySequentially.map { "passed only sequentially: \($0)" }
        return """
            With the same gates decided sequentially (\(q.settings.batches) batches of base traces in a seeded order, \
            \(fixed(q.settings.confidence * 100, 0)) % t-interval; `eval --sequential`), the cascade run on the pool took \
            \(fixed(q.cascadeSeconds, 2)) s — \(fixed(q.candidatesPerCPUHourFactor, 2))× the candidates per CPU-hour \
            of the \(r.target) level alone — and kept \(fixed(q.topDecileRecall * 100, 1)) % of the top decile; \
            \(q.agree) of \(r.candidates) candidates had the same outcome as with full gates\
            \(differ.isEmpty ? "." : " (" + differ.joined(separator: "; ") + ").")
            """
    }

    /// Why a coarse level can rank the better half worse than the target, per problem.
    static func belowTargetReason(_ r: CalibrationReport) -> String {
        CandidateProblem(rawValue: r.problem)?.definition.coarseRankingCaveat ?? ""
    }

    public static func render(_ r: CalibrationReport) -> String {
        var levels = TextTable(headers: ["level", "median s", "total s", "reference", "Spearman (all)", "Spearman (better half)",
                                         "Kendall (all)", "Kendall (better half)"])
        for l in r.levels {
            levels.append([l.level, fixed(l.runtimeMedianSeconds, 3), fixed(l.runtimeTotalSeconds, 2),
                           fixed(l.referenceValue, 4), interval(l.spearmanAll), interval(l.spearmanBetterHalf),
                           interval(l.kendallAll), interval(l.kendallBetterHalf)])
        }
        var thresholds = TextTable(headers: ["level", "gate factor", "top-decile recall", "false-reject rate"])
        for t in r.thresholds where Int((t.factor * 1000).rounded()) % 50 == 0 {
            thresholds.append([t.level, fixed(t.factor, 2), fixed(t.topDecileRecall * 100, 1) + " %",
                               fixed(t.falseRejectRate * 100, 1) + " %"])
        }
        let coarse = r.levels.first { $0.level == "coarse" }?.spearmanBetterHalf?.value
        let coarseNote = coarse.map { $0 >= 0.9
            ? "The coarse level's Spearman on the better half is \(fixed($0, 3)) (target ≥ 0.9)."
            : "The coarse level's Spearman on the better half is \(fixed($0, 3)), below the 0.9 target. \(belowTargetReason(r))" } ?? ""
        return """
            # Fidelity report: \(r.problem)

            Generated by `sim-cascade calibrate --problem \(r.problem)`: \(r.candidates) candidates \
            (\(distinctBehaviours(r)) distinct behaviours: some grid points act alike), search set \
            `\(r.searchSet)`, held-out set `\(r.heldOutSet)`. Runtimes are wall seconds per candidate and level \
            (sandbox included, compile excluded). Correlations are with the \(r.target) level's value, over the \
            candidates valid at the \(r.target) level, with 95 % bootstrap intervals (1,000 resamples). Every level's value \
            is its primary metric (the \(r.target) level's: `\(r.metric)`, \(r.lowerIsBetter == false ? "higher" : "lower") is better).\
            \(systemNote(r))

            ![cheap levels against the \(r.target) level](\(r.problem).svg)

            ## Levels

            ```
            \(levels.render())
            ```

            \(coarseNote)

            ## Gates

            A gate passes a candidate whose value at the level is \(r.lowerIsBetter == false ? "at least" : "at most") factor × the reference's there \
            (\(r.referencePolicy)). Top-decile recall: share of the \(r.target) level's best 10 % that pass; false-reject \
            rate: share of the candidates at least as good as the reference at the \(r.target) level that are stopped.

            ```
            \(thresholds.render())
            ```

            Recommended gates (the strictest factor, from 1.0 \(r.lowerIsBetter == false ? "down" : "up"), that keeps ≥ 97.5 % of \
            the top decile at each level, so ≥ 95 % together; never past 1.0, so the template itself always passes): \
            \(r.recommendedGates.map { "`\($0.level)` \(r.lowerIsBetter == false ? "≥" : "≤") \(fixed($0.factor, 3)) ×" }.joined(separator: ", ")). \
            Together they keep \(fixed(r.cascadeTopDecileRecall * 100, 1)) % of the top decile.

            ## Time saved

            The \(r.target) level alone: \(fixed(r.fineOnlySeconds, 2)) s for the pool; through the cascade with these gates: \
            \(fixed(r.cascadeSeconds, 2)) s — \(fixed(r.candidatesPerCPUHourFactor, 2))× the candidates per CPU-hour \
            (compile excluded)\(withCompile(r)).

            \(levelsNote(r))

            \(sequentialSection(r))

            Recommended stage budgets (20 × the slowest valid run, at least 10 s; `--timeout` caps them): \
            \((r.recommendedBudgets ?? []).map { "`\($0.level)` \(fixed($0.wallSeconds, 0)) s" }.joined(separator: ", ")).

            ## Held out

            Spearman of the fine level's value on the search set against the held-out set: \
            \(r.heldOutSpearman.map { fixed($0, 3) } ?? "n/a").

            """
    }
}
