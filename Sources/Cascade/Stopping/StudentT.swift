import Foundation

/// Student's t distribution: the quantiles a t-interval needs.
enum StudentT {
    /// The `p` quantile with `df` degrees of freedom, by bisection on the CDF.
    /// - Precondition: 0 < p < 1, df ≥ 1.
    /// - Complexity: ~100 CDF evaluations, each a continued fraction of at most 200 terms.
    static func quantile(_ p: Double, degreesOfFreedom df: Int) -> Double {
        precondition(p > 0 && p < 1 && df >= 1)
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: df) }
        var low = 0.0, high = 1.0
        while cdf(high, degreesOfFreedom: df) < p { high *= 2 }
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if cdf(mid, degreesOfFreedom: df) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// P(T ≤ t) = 1 − I_x(ν/2, 1/2) / 2 for t ≥ 0, with x = ν / (ν + t²).
    static func cdf(_ t: Double, degreesOfFreedom df: Int) -> Double {
        let nu = Double(df)
        // x and 1 − x both computed directly, so neither loses digits to a subtraction.
        let tail = regularizedIncompleteBeta(nu / (nu + t * t), complement: t * t / (nu + t * t), a: nu / 2, b: 0.5) / 2
        return t >= 0 ? 1 - tail : tail
    }

    /// I_x(a, b), given x and 1 − x, by the continued fraction of Numerical Recipes §6.4 (modified
    /// Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(_ x: Double, complement y: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(y, complement: x, a: b, b: a) }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y)
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < tiny ? tiny : d)
        var fraction = d
        for m in 1...200 {
            let m = Double(m)
            for numerator in [m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))] {
                d = 1 + numerator * d
                d = 1 / (abs(d) < tiny ? tiny : d)
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                fraction *= c * d
            }
            if abs(c * d - 1) < 1e-15 { break }
        }
        return exp(logFront) * fraction / a
    }
}
