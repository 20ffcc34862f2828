import SimCore

/// An SVG scatter per cheap level: its metric (x) against the target level's (y) for every
/// candidate valid at both, coloured by origin, with the recommended gate drawn.
public enum CalibrationPlot {
    public static func render(_ r: CalibrationReport) -> String {
        let target = r.target
        let cheap = r.levels.filter { $0.level != target }
        let panelWidth = 420.0, height = 380.0, margin = 50.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(panelWidth * Double(cheap.count)))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        let colors = ["baseline": "#d62728", "variant": "#1f77b4", "bad": "#7f7f7f"]
        for (p, level) in cheap.enumerated() {
            let points = r.entries.compactMap { e -> (Double, Double, String)? in
                guard let x = e.levels[level.level]?.value, e.levels[target]?.valid == true,
                      let y = e.levels[target]?.value else { return nil }
                return (x, y, e.origin)
            }
            guard !points.isEmpty else { continue }
            let gate = r.recommendedGates.first { $0.level == level.level }.map { $0.factor * level.referenceValue }
            let xs = points.map(\.0) + (gate.map { [$0] } ?? []), ys = points.map(\.1)
            let (x0, x1) = (xs.min()! * 0.98, xs.max()! * 1.02), (y0, y1) = (ys.min()! * 0.98, ys.max()! * 1.02)
            let left = Double(p) * panelWidth
            func px(_ x: Double) -> Double { left + margin + (x - x0) / max(x1 - x0, 1e-9) * (panelWidth - 2 * margin) }
            func py(_ y: Double) -> Double { height - margin - (y - y0) / max(y1 - y0, 1e-9) * (height - 2 * margin) }
            svg += "<rect x=\"\(f(left + margin))\" y=\"\(f(margin))\" width=\"\(f(panelWidth - 2 * margin))\" height=\"\(f(height - 2 * margin))\" fill=\"none\" stroke=\"#333\"/>\n"
            svg += "<text x=\"\(f(left + panelWidth / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">\(level.level) vs \(target)</text>\n"
            svg += "<text x=\"\(f(left + panelWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(level.level) \(label(level.metric ?? r.metric)), \(f(x0))–\(f(x1))</text>\n"
            svg += "<text x=\"\(f(left + 14))\" y=\"\(f(height / 2))\" transform=\"rotate(-90 \(f(left + 14)) \(f(height / 2)))\" text-anchor=\"middle\">\(target) \(label(r.metric)), \(f(y0))–\(f(y1))</text>\n"
            if let gate {
                svg += "<line x1=\"\(f(px(gate)))\" y1=\"\(f(margin))\" x2=\"\(f(px(gate)))\" y2=\"\(f(height - margin))\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n"
                svg += "<text x=\"\(f(px(gate) + 4))\" y=\"\(f(margin + 12))\" fill=\"#2ca02c\">gate</text>\n"
            }
            for (x, y, origin) in points {
                svg += "<circle cx=\"\(f(px(x)))\" cy=\"\(f(py(y)))\" r=\"3\" fill=\"\(colors[origin] ?? "#000")\" fill-opacity=\"0.7\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }

    private static func f(_ x: Double) -> String { fixed(x, 1) }

    static func label(_ metric: String) -> String { metric == "mean_cost" ? "mean cost ($)" : metric.replacingOccurrences(of: "_", with: " ") }
}
