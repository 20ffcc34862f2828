/// Helpers shared by the trace generators: stream seeds and JSON text written the same way
/// on every machine.
public enum GeneratedText {
    public static func streamSeed(_ seed: UInt64, profile: Int, trace: Int, purpose: UInt64) -> UInt64 {
        var mixer = SeededGenerator(seed: seed)
        let base = mixer.next()
        return base &+ UInt64(profile) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(trace) &* 0xD1B5_4A32_D192_ED03
            &+ purpose &* 0x8CB9_2BA7_2F3D_8DD7
    }

    /// Integral values without a fraction (as Python's json writes ints); others in Swift's
    /// shortest round-trip form.
    public static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
