import Foundation

/// Writes one JSON value to stdout: the `--json` contract of every command.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Through stdio, like `print`: a closed stdout (`| head`) must not crash the tool.
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
