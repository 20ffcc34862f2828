import Cascade
import Evolve
import Foundation
import Sim
import SimCore

/// Notes and progress for people, on stderr (stdout carries results).
enum Log {
    static func note(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("note: \(Escaped.line(message))\n".utf8))
    }

    static func warning(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("warning: \(Escaped.line(message))\n".utf8))
    }

    /// The sandbox's one-line warnings (e.g. no memory cgroup on this machine).
    static func warnings(of sandbox: Sandbox) {
        if let warning = sandbox.memoryCgroupWarning { Self.warning(warning) }
    }
}
