import Foundation

/// Notes and progress for people, on stderr (stdout carries results).
enum Log {
    static func note(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("note: \(message)\n".utf8))
    }
}
