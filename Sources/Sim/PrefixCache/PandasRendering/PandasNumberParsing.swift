/// The numeric token parsers of pandas 2.x's C CSV reader (`read_csv`'s default engine), as the
/// public LLM-SQL evaluator runs them: integers, unsigned integers and its "high" (default)
/// float converter. The float converter is not correctly rounded beyond 17 significant digits
/// (it keeps 17 and scales by a power of ten), and that is reproduced. One difference: pandas
/// keeps an exponent in a C `int`, which overflows past 10 digits (`1e4294967297` reads as
/// `10.0` there); here such a cell is text.
enum PandasNumberParsing {
    enum IntegerToken: Equatable {
        case value(Int64)
        case overflow
        case invalid
    }

    enum UnsignedToken: Equatable {
        case value(UInt64)
        /// A leading `-`: pandas records a signed value and reads no further.
        case negative
        case overflow
        case invalid
    }

    /// `isspace` in the C locale.
    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Spaces, an optional sign, at least one digit, spaces, and nothing else.
    /// - Complexity: O(token length).
    static func int64(_ token: UnsafeBufferPointer<UInt8>) -> IntegerToken {
        var i = 0
        let n = token.count
        while i < n && isSpace(token[i]) { i += 1 }
        var negative = false
        if i < n && token[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if i < n && token[i] == UInt8(ascii: "+") { i += 1 }
        guard i < n, isDigit(token[i]) else { return .invalid }
        var value: Int64 = 0
        while i < n && isDigit(token[i]) {
            let d = Int64(token[i] - 0x30)
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(d) : times.addingReportingOverflow(d)
            if o1 || o2 { return .overflow }
            value = next
            i += 1
        }
        while i < n && isSpace(token[i]) { i += 1 }
        return i == n ? .value(value) : .invalid
    }

    /// As `int64`, for the unsigned retry after an int64 overflow.
    /// - Complexity: O(token length).
    static func uint64(_ token: UnsafeBufferPointer<UInt8>) -> UnsignedToken {
        var i = 0
        let n = token.count
        while i < n && isSpace(token[i]) { i += 1 }
        if i < n && token[i] == UInt8(ascii: "-") { return .negative }
        if i < n && token[i] == UInt8(ascii: "+") { i += 1 }
        guard i < n, isDigit(token[i]) else { return .invalid }
        var value: UInt64 = 0
        while i < n && isDigit(token[i]) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times.addingReportingOverflow(UInt64(token[i] - 0x30))
            if o1 || o2 { return .overflow }
            value = next
            i += 1
        }
        while i < n && isSpace(token[i]) { i += 1 }
        return i == n ? .value(value) : .invalid
    }

    /// Exact powers of ten as the compiler rounds them (`1e0 … 1e308`).
    static let powersOfTen: [Double] = (0...308).map { Double("1e\($0)")! }

    /// pandas' default float converter (`precise_xstrtod`) with trailing spaces skipped, then
    /// its spellings of infinity; `nil` when the token is not a float to pandas.
    /// - Complexity: O(token length).
    static func double(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = preciseDouble(token) { return value }
        // Exactly these, any case, no surrounding space.
        guard token.count <= 9 else { return nil }
        switch String(decoding: token, as: UTF8.self).lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }

    private static func preciseDouble(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
        let maxDigits = 17
        var i = 0
        let n = token.count
        func at(_ k: Int) -> UInt8 { k < n ? token[k] : 0 }
        while isSpace(at(i)) { i += 1 }
        var negative = false
        if at(i) == UInt8(ascii: "-") { negative = true; i += 1 } else if at(i) == UInt8(ascii: "+") { i += 1 }
        var number = 0.0, exponent = 0, digits = 0, decimals = 0
        while isDigit(at(i)) {
            if digits < maxDigits {
                number = number * 10 + Double(at(i) - 0x30)
                digits += 1
            } else {
                exponent += 1
            }
            i += 1
        }
        if at(i) == UInt8(ascii: ".") {
            i += 1
            while digits < maxDigits && isDigit(at(i)) {
                number = number * 10 + Double(at(i) - 0x30)
                i += 1
                digits += 1
                decimals += 1
            }
            if digits >= maxDigits { while isDigit(at(i)) { i += 1 } }
            exponent -= decimals
        }
        guard digits > 0 else { return nil }
        if negative { number = -number }
        if at(i) == UInt8(ascii: "e") || at(i) == UInt8(ascii: "E") {
            i += 1
            var negativeExponent = false
            if at(i) == UInt8(ascii: "-") { negativeExponent = true; i += 1 } else if at(i) == UInt8(ascii: "+") { i += 1 }
            var expDigits = 0, e = 0
            while expDigits < maxDigits && isDigit(at(i)) {
                e = e * 10 + Int(at(i) - 0x30)
                expDigits += 1
                i += 1
            }
            exponent += negativeExponent ? -e : e
            // No digit after the marker: pandas steps back onto it, which then fails the token.
            if expDigits == 0 { i -= 1 }
        }
        if exponent > 308 { return nil }
        if exponent > 0 {
            number *= powersOfTen[exponent]
        } else if exponent < -308 {
            if exponent < -616 {
                number = 0
            } else {
                number /= powersOfTen[-308 - exponent]
                number /= powersOfTen[308]
            }
        } else {
            number /= powersOfTen[-exponent]
        }
        if number == .infinity || number == -.infinity { return nil }
        while isSpace(at(i)) { i += 1 }
        return i == n ? number : nil
    }
}
