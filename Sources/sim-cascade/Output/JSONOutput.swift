import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

/// Writes one JSON value to stdout: the `--json` contract of every command.
enum JSONOutput {
    /// - Throws: `CLIError.nonFiniteResult` when a number of the result is not finite (JSON has
    ///   no NaN or infinity; the loaders keep inputs in ranges where sums stay finite).
    static func print<T: Encodable>(_ value: T) throws {
        // Through stdio, like `print`: a closed stdout (`| head`) must not crash the tool.
        Swift.print(String(decoding: try encode(value), as: UTF8.self))
    }

    /// The value as one line of JSON (`eval-server`'s answers).
    static func line<T: Encodable>(_ value: T) throws -> String { String(decoding: try encode(value), as: UTF8.self) }

    /// Text reports call this first, so text and `--json` refuse the same results.
    static func requireFinite<T: Encodable>(_ value: T) throws { _ = try encode(value) }

    private static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch is EncodingError {
            throw CLIError.nonFiniteResult
        }
        return data
    }
}

/// `--json`, shared by the commands that print a result (`calibrate` and `traces fit` have
/// their own, with other meanings).
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object (snake_case keys) on stdout instead of text.")
    var json = false
}
