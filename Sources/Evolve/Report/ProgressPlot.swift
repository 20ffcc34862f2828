import SimCore
import Cascade

/// `DIR/progress.svg`: the best and the median score of the valid programs so far, by
/// iteration (top), and how many children each cascade stage stopped so far (bottom).
public enum ProgressPlot {
    /// - Parameter iterations: the run's committed iterations (the last may have left no program).
    public static func render(_ programs: [ProgramRecord], metric: LevelMetric, iterations: Int) -> String {
        let width = 760.0, top = 300.0, bottom = 200.0, margin = 56.0
        let last = max(iterations, programs.map(\.iteration).max() ?? 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(top + bottom))\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        func px(_ i: Int) -> Double { margin + Double(i) / Double(last) * (width - 2 * margin) }

        // Running best and median of valid scores.
        var scores: [Double] = [], best: [(Int, Double)] = [], median: [(Int, Double)] = []
        for p in programs.sorted(by: { $0.iteration < $1.iteration }) {
            guard p.valid, let s = p.score else { continue }
            scores.append(s)
            let sorted = scores.sorted()
            best.append((p.iteration, metric.lowerIsBetter ? sorted.first! : sorted.last!))
            median.append((p.iteration, sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2))
        }
        let ys = best.map(\.1) + median.map(\.1)
        let (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        let pad = max((y1 - y0) * 0.05, 1e-9)
        func py(_ y: Double) -> Double { top - margin + 10 - (y - (y0 - pad)) / ((y1 + pad) - (y0 - pad)) * (top - margin - 30) }
        svg += frame(y: 30, height: top - margin - 20, width: width, margin: margin)
        svg += "<text x=\"\(f(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">\(metric.name) of valid programs "
            + "(\(metric.lowerIsBetter ? "lower" : "higher") is better): best (blue) and median (orange); \(fixed(y0 - pad, 3))–\(fixed(y1 + pad, 3))</text>\n"
        for value in [y0 - pad, (y0 + y1) / 2, y1 + pad] {
            svg += "<text x=\"\(f(margin - 4))\" y=\"\(f(py(value) + 4))\" text-anchor=\"end\">\(fixed(value, 2))</text>\n"
        }
        svg += polyline(best.map { (px($0.0), py($0.1)) }, color: "#1f77b4", step: true)
        svg += polyline(median.map { (px($0.0), py($0.1)) }, color: "#ff7f0e", step: false)

        // Cumulative stops per stage.
        let stages = Array(Set(programs.compactMap { $0.valid ? nil : ($0.rejectedAt ?? "compile") }))
            .sorted { (EvolveReport.stageRank($0), $0) < (EvolveReport.stageRank($1), $1) }
        let colors = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f"]
        let stopped = programs.filter { !$0.valid }.count
        let base = top + bottom - margin
        func sy(_ n: Int) -> Double { base - Double(n) / Double(max(stopped, 1)) * (bottom - margin - 30) }
        svg += frame(y: top + 20, height: bottom - margin - 20, width: width, margin: margin)
        svg += "<text x=\"\(f(width / 2))\" y=\"\(f(top + 12))\" text-anchor=\"middle\" font-size=\"13\">children stopped so far, by stage (0–\(stopped))</text>\n"
        for (k, stage) in stages.enumerated() {
            var count = 0
            var points: [(Double, Double)] = [(px(0), sy(0))]
            for p in programs.sorted(by: { $0.iteration < $1.iteration }) where !p.valid && (p.rejectedAt ?? "compile") == stage {
                count += 1
                points.append((px(p.iteration), sy(count)))
            }
            points.append((px(last), sy(count)))
            let color = colors[k % colors.count]
            svg += polyline(points, color: color, step: true)
            svg += "<text x=\"\(f(margin + 8 + Double(k) * 120))\" y=\"\(f(top + 36))\" fill=\"\(color)\">\(stage): \(count)</text>\n"
        }
        for count in [0, stopped] {
            svg += "<text x=\"\(f(margin - 4))\" y=\"\(f(sy(count) + 4))\" text-anchor=\"end\">\(count)</text>\n"
        }
        for i in [0, last / 2, last] {
            svg += "<text x=\"\(f(px(i)))\" y=\"\(f(base + 14))\" text-anchor=\"middle\">\(i)</text>\n"
        }
        svg += "<text x=\"\(f(width / 2))\" y=\"\(f(top + bottom - 16))\" text-anchor=\"middle\">iteration (0–\(last))</text>\n"
        return svg + "</svg>\n"
    }

    static func frame(y: Double, height: Double, width: Double, margin: Double) -> String {
        "<rect x=\"\(f(margin))\" y=\"\(f(y))\" width=\"\(f(width - 2 * margin))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#333\"/>\n"
    }

    static func polyline(_ points: [(Double, Double)], color: String, step: Bool) -> String {
        guard !points.isEmpty else { return "" }
        var path: [(Double, Double)] = []
        for (k, point) in points.enumerated() {
            if step, k > 0 { path.append((point.0, path[path.count - 1].1)) }
            path.append(point)
        }
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\""
            + path.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
    }

    private static func f(_ x: Double) -> String { fixed(x, 1) }
}
