import ArgumentParser
import Cascade
import Foundation
import SimCore

/// `eval` as a long-lived process: a scale-out worker's (`python -m sim_cascade.executor`), so
/// that the inputs, the evaluator and every level's reference are built once per worker instead
/// of once per evaluation.
struct EvalServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-server",
        abstract: "Answer eval requests read from stdin, one JSON line each (for the scale-out executor).",
        discussion: """
            A request is {"args": [...], "id"?: N}: the arguments of one `eval` (the candidate file \
            first; never --unsafe-no-sandbox). Every line gets an answer, a blank or malformed one \
            an error. The answer, one line on stdout per request in order (with the request's id), \
            is {"report": {...}} — the `eval --json` report without the problem's own figures, its \
            per-item results and the candidate's log: the verdict, stages, score block, build id \
            and timing — or {"error": MESSAGE, "status": 2|3}: what `eval` would have exited with. Requests \
            that name the same inputs, sandbox options and cascade reuse them (inputs whose files \
            were written or replaced since are loaded again). Ends at the end \
            of its input, and with its parent process (see eval --outlive-parent).
            """,
        shouldDisplay: false
    )

    @Flag(help: "Keep running when the parent process ends.")
    var outliveParent = false

    /// `id`, when given, is echoed in the answer (the client checks it matches).
    struct Request: Decodable { var id: Int?; var args: [String] }

    func run() throws {
        if !outliveParent, try !ParentDeath.follow() {
            throw CLIError.parentGone
        }
        // The answers on a private copy of stdout; whatever else would print there goes to stderr.
        let protocolOutput = FileHandle(fileDescriptor: dup(STDOUT_FILENO), closeOnDealloc: true)
        guard dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else { throw CLIError.cannotWrite("standard output", reason: "dup2 failed") }
        let session = EvalSession()
        while let line = readLine(strippingNewline: true) {
            let id = (try? JSONDecoder().decode(Request.self, from: Data(line.utf8)))?.id
            var answer: String
            do {
                guard let request = try? JSONDecoder().decode(Request.self, from: Data(line.utf8)) else {
                    throw CLIError.invalidValue("request", String(line.prefix(200)), "expected {\"args\": [\"CANDIDATE\", ...]}")
                }
                var eval = try Eval.parse(request.args)
                // Whoever can write requests must not be able to run a candidate unconfined.
                if eval.sandbox.unsafeNoSandbox { throw CLIError.conflictingOptions("eval-server", "--unsafe-no-sandbox") }
                // The server's own parent is followed; a request's process is this one.
                eval.outliveParent = true
                var report = try eval.evaluate(in: session)
                report.brief = true
                answer = "{\"report\":\(try JSONOutput.line(report))"
            } catch {
                let (message, status) = ErrorReporter.describe(error, command: Eval.self)
                struct Failure: Encodable { var error: String; var status: Int32 }
                answer = String((try? JSONOutput.line(Failure(error: Escaped.line(message), status: status)))?.dropLast()
                    ?? "{\"error\":\"an answer that cannot be encoded\",\"status\":3")
            }
            answer += (id.map { ",\"id\":\($0)" } ?? "") + "}\n"
            // Whole lines, unbuffered: the executor reads one answer per request.
            guard (try? protocolOutput.write(contentsOf: Data(answer.utf8))) != nil else { return }
        }
    }
}
