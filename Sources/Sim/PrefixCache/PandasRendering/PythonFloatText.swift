/// `str(x)` of a Python float (also numpy's float64): the shortest digits that read back as `x`,
/// positional when the decimal exponent is in [-4, 16), else scientific with a signed
/// two-digit-minimum exponent; a positional integer keeps `.0`.
enum PythonFloatText {
    /// - Complexity: O(1) (at most 17 significant digits).
    static func string(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also prints the shortest round-trip digits (the closest of them);
        // only its layout differs, so take the digits and the exponent from it.
        let (digits, decimalPoint) = shortestDigits(x.magnitude)
        let sign = x < 0 ? "-" : ""
        if decimalPoint <= -4 || decimalPoint > 16 {
            let e = decimalPoint - 1
            let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
            let magnitude = String(abs(e))
            return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" + magnitude : magnitude)
        }
        if decimalPoint <= 0 { return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits }
        if decimalPoint >= digits.count { return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) + ".0" }
        let cut = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return sign + digits[..<cut] + "." + digits[cut...]
    }

    /// The significant digits of a positive finite `x` (no leading or trailing zeros) and the
    /// position of the decimal point: `x = 0.digits × 10^decimalPoint`.
    static func shortestDigits(_ x: Double) -> (digits: String, decimalPoint: Int) {
        let text = x.description
        var mantissa = Substring(text), exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerCount = mantissa.count
        if let dot = mantissa.firstIndex(of: ".") { integerCount = mantissa.distance(from: mantissa.startIndex, to: dot) }
        var all = mantissa.filter { $0 != "." }
        var point = integerCount + exponent
        while all.first == "0" { all.removeFirst(); point -= 1 }
        while all.last == "0" { all.removeLast() }
        return (String(all), point)
    }
}
