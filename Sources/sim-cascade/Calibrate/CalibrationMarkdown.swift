import Cascade

/// The human report of a calibration.
enum CalibrationMarkdown {
    static func interval(_ i: CalibrationReport.Interval?) -> String {
        guard let i, let v = i.value else { return "n/a" }
        let ci = (i.low != nil && i.high != nil) ? " [\(fixed(i.low!, 3)), \(fixed(i.high!, 3))]" : ""
        return fixed(v, 3) + ci
    }

    static func summary(_ r: CalibrationReport) -> String {
        let side = r.lower_is_better == false ? "≥" : "≤"
        let gates = r.recommended_gates.map { "\($0.level) \(side) \(fixed($0.factor, 3)) × reference" }.joined(separator: ", ")
        return """
            \(r.candidates) candidates; recommended gates: \(gates)
            cascade keeps \(fixed(r.cascade_top_decile_recall * 100, 1)) % of the top decile and evaluates \
            \(fixed(r.candidates_per_cpu_hour_factor, 2))× as many candidates per CPU-hour as the fine level alone\
            \(r.sequential.map { "; decided sequentially: \(fixed($0.candidates_per_cpu_hour_factor, 2))×, top decile kept \(fixed($0.top_decile_recall * 100, 1)) %" } ?? "")
            """
    }

    /// Candidates whose costs at every level (and held out) coincide behave alike.
    static func distinctBehaviours(_ r: CalibrationReport) -> Int {
        Set(r.entries.map { e in
            (["cost_model", "coarse", "fine"].map { e.levels[$0]?.value.map { fixed($0, 6) } ?? "-" }
                + [e.held_out?.value.map { fixed($0, 6) } ?? "-"]).joined(separator: "|")
        }).count
    }

    static func levelsNote(_ r: CalibrationReport) -> String {
        guard r.recommended_levels == ["fine"] else {
            return "The gated cascade is cheaper than the fine level alone, so `eval` runs every level."
        }
        return "The gated cascade costs more than the fine level alone: each level starts its own sandbox, "
            + "and the fine level adds little to that start-up here. So the recommended levels are `fine` alone "
            + "(`recommended_levels`), and `eval` skips the cheap stages unless `--all-levels` or `--level` asks for them."
    }

    static func sequentialSection(_ r: CalibrationReport) -> String {
        guard let q = r.sequential else { return "" }
        let differ = q.stopped_only_sequentially.map { "stopped only sequentially: \($0)" }
            + q.passed_only_sequentially.map { "passed only sequentially: \($0)" }
        return """
            With the same gates decided sequentially (\(q.settings.batches) batches of base traces in a seeded order, \
            \(fixed(q.settings.confidence * 100, 0)) % t-interval; `eval --sequential`), the cascade run on the pool took \
            \(fixed(q.cascade_seconds, 2)) s — \(fixed(q.candidates_per_cpu_hour_factor, 2))× the candidates per CPU-hour \
            of the fine level alone — and kept \(fixed(q.top_decile_recall * 100, 1)) % of the top decile; \
            \(q.agree) of \(r.candidates) candidates had the same outcome as with full gates\
            \(differ.isEmpty ? "." : " (" + differ.joined(separator: "; ") + ").")
            """
    }

    /// Why a coarse level can rank the better half worse than the target, per problem.
    static func belowTargetReason(_ r: CalibrationReport) -> String {
        switch r.problem {
        case "spot":
            return "Among the better half the candidates differ by little, and a 10 % sample's noise is of the same size."
        case "txn":
            return "The coarse level is the public unit-time model: no workers, no lock waits, no aborts. Orders that "
                + "the public model scores alike can execute very differently (dispatch order decides which transaction "
                + "waits and which aborts), so the public makespan is a weak predictor of the executed one."
        case "prefix":
            return "The coarse level measures the public PHR, which does not depend on the row order, while the fine "
                + "level's finite KV cache rewards sending rows with shared prefixes together; half the pool sorts its "
                + "rows, which only the fine level sees."
        case "eplb":
            return "The coarse level scores each placement's balance on the next window; the fine level also "
                + "prices the all-to-all and, above all, moving expert weights when the placement changes. Placers that "
                + "keep their last placement unless a new one is clearly better balance about as well at the coarse "
                + "level but serve faster, so among the better half the two rankings part."
        default:
            return ""
        }
    }

    static func render(_ r: CalibrationReport) -> String {
        var levels = TextTable(headers: ["level", "median s", "total s", "reference", "Spearman (all)", "Spearman (better half)",
                                         "Kendall (all)", "Kendall (better half)"])
        for l in r.levels {
            levels.append([l.level, fixed(l.runtime_median_seconds, 3), fixed(l.runtime_total_seconds, 2),
                           fixed(l.reference_value, 4), interval(l.spearman_all), interval(l.spearman_better_half),
                           interval(l.kendall_all), interval(l.kendall_better_half)])
        }
        var thresholds = TextTable(headers: ["level", "gate factor", "top-decile recall", "false-reject rate"])
        for t in r.thresholds where Int((t.factor * 1000).rounded()) % 50 == 0 {
            thresholds.append([t.level, fixed(t.factor, 2), fixed(t.top_decile_recall * 100, 1) + " %",
                               fixed(t.false_reject_rate * 100, 1) + " %"])
        }
        let coarse = r.levels.first { $0.level == "coarse" }?.spearman_better_half?.value
        let coarseNote = coarse.map { $0 >= 0.9
            ? "The coarse level's Spearman on the better half is \(fixed($0, 3)) (target ≥ 0.9)."
            : "The coarse level's Spearman on the better half is \(fixed($0, 3)), below the 0.9 target. \(belowTargetReason(r))" } ?? ""
        return """
            # Fidelity report: \(r.problem)

            Generated by `sim-cascade calibrate --problem \(r.problem)`: \(r.candidates) candidates \
            (\(distinctBehaviours(r)) distinct behaviours: some grid points act alike), search set \
            `\(r.search_set)`, held-out set `\(r.held_out_set)`. Runtimes are wall seconds per candidate and level \
            (sandbox included, compile excluded). Correlations are with the fine level's value, over the \
            candidates valid at the fine level, with 95 % bootstrap intervals (1,000 resamples). Every level's value \
            is its primary metric (the fine level's: `\(r.metric)`, \(r.lower_is_better == false ? "higher" : "lower") is better).

            ![cheap levels against the fine level](\(r.problem).svg)

            ## Levels

            ```
            \(levels.render())
            ```

            \(coarseNote)

            ## Gates

            A gate passes a candidate whose value at the level is \(r.lower_is_better == false ? "at least" : "at most") factor × the reference's there \
            (\(r.reference_policy)). Top-decile recall: share of the fine level's best 10 % that pass; false-reject \
            rate: share of the candidates at least as good as the reference at the fine level that are stopped.

            ```
            \(thresholds.render())
            ```

            Recommended gates (the strictest factor, from 1.0 \(r.lower_is_better == false ? "down" : "up"), that keeps ≥ 97.5 % of \
            the top decile at each level, so ≥ 95 % together; never past 1.0, so the template itself always passes): \
            \(r.recommended_gates.map { "`\($0.level)` \(r.lower_is_better == false ? "≥" : "≤") \(fixed($0.factor, 3)) ×" }.joined(separator: ", ")). \
            Together they keep \(fixed(r.cascade_top_decile_recall * 100, 1)) % of the top decile.

            ## Time saved

            Fine level alone: \(fixed(r.fine_only_seconds, 2)) s for the pool; through the cascade with these gates: \
            \(fixed(r.cascade_seconds, 2)) s — \(fixed(r.candidates_per_cpu_hour_factor, 2))× the candidates per CPU-hour \
            (compile excluded).

            \(levelsNote(r))

            \(sequentialSection(r))

            Recommended stage budgets (20 × the slowest valid run, at least 10 s; `--timeout` caps them): \
            \((r.recommended_budgets ?? []).map { "`\($0.level)` \(fixed($0.wallSeconds, 0)) s" }.joined(separator: ", ")).

            ## Held out

            Spearman of the fine level's value on the search set against the held-out set: \
            \(r.held_out_spearman.map { fixed($0, 3) } ?? "n/a").

            """
    }
}
