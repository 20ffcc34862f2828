import ArgumentParser
import Foundation
import Cascade
import Evolve
import PostgresEngine
import Sim
import SimCore

/// The one place that turns errors into a message and an exit status.
///
/// Bad input of any kind — files, values, options — is one line on stderr and exit status 2;
/// what the machine cannot do (no sandbox, a read-only or full disk, a locked or damaged store)
/// is one line naming the path, exit status 3, never a pointer to `help`; `--help` prints help
/// on stdout and exits 0. Nothing prints a stack trace.
enum ErrorReporter {
    static let badInput: Int32 = 2
    /// This machine cannot do what was asked (no sandbox, no compiler).
    static let environmentProblem: Int32 = 3

    static func report<Command: ParsableCommand>(_ error: Error, command: Command.Type) -> Int32 {
        switch error {
        case let code as ExitCode:
            // A command that already printed its outcome (e.g. `traces generate --check`).
            return code.rawValue
        default:
            if command.exitCode(for: error) == .success {
                print(command.fullMessage(for: error))
                return 0
            }
            let (message, status) = describe(error, command: command)
            printError(message)
            return status
        }
    }

    /// The one-line message (not yet escaped) and the exit status of a failure: what `report`
    /// prints, and what `eval-server` answers a request with.
    static func describe<Command: ParsableCommand>(_ error: Error, command: Command.Type) -> (message: String, status: Int32) {
        switch error {
        case let error as SimError:
            return (error.description, badInput)
        case let error as CascadeError:
            return (error.description, error.isBadInput ? badInput : environmentProblem)
        case let error as CLIError:
            return (error.description, error.isEnvironment ? environmentProblem : badInput)
        case let error as CocoaError:
            // A file error no command turned into one of ours: its path and what went wrong;
            // one that could not be written is the machine's, one that could not be read the input's.
            let path = error.filePath ?? error.url?.path
            return ((path.map { "\(Escaped.path($0)): " } ?? "") + error.localizedDescription,
                    (512..<1024).contains(error.code.rawValue) ? environmentProblem : badInput)
        case let error as EngineError:
            // The real system's faults are the machine's: no candidate or input causes them.
            return (error.description, environmentProblem)
        case let error as EvolveError:
            return (error.description, error.isEnvironment ? environmentProblem : badInput)
        case let code as ExitCode:
            // Only a command that printed its outcome throws one; as an answer it is no report.
            return ("exit status \(code.rawValue)", environmentProblem)
        default:
            let message = command.message(for: error)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: "; ")
            return ("\(message) (see 'sim-cascade help')", badInput)
        }
    }

    /// One line, whatever the message holds: values from input are escaped where they are
    /// quoted (`Escaped.value`), and this escapes anything that slipped through.
    static func printError(_ message: String) {
        // `contentsOf:` throws instead of trapping when stderr is closed.
        try? FileHandle.standardError.write(contentsOf: Data("error: \(Escaped.line(message))\n".utf8))
    }
}
