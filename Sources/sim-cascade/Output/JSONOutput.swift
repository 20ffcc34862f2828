import Foundation
import Sim

/// Writes one JSON value to stdout: the `--json` contract of every command.
enum JSONOutput {
    /// - Throws: `SimError.invalidParameter` when a number of the result is not finite (JSON has
    ///   no NaN or infinity; the loaders keep inputs in ranges where sums stay finite).
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch is EncodingError {
            throw SimError.invalidParameter(name: "result", value: "not finite",
                                            reason: "a number of the result is NaN or infinite: the inputs' values are beyond what can be computed")
        }
        // Through stdio, like `print`: a closed stdout (`| head`) must not crash the tool.
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
