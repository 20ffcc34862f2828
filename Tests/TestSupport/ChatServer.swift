import Foundation

/// The loopback chat-completions server (`Tests/EvolveTests/Fixtures/chat-server.py`) answering from a chosen
/// sequence of the hand-written fixtures in `Fixtures/chat/`.
public final class ChatServer {
    public let process = Process()
    let folder: URL
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EvolveTests/Fixtures")

    /// Serves `answers` (fixture names without `.json`, or whole fixture texts starting with `{`) in order.
    public init(answers: [String]) throws {
        folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-chat-\(UUID().uuidString)")
        let served = folder.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        for (k, answer) in answers.enumerated() {
            let text = answer.hasPrefix("{") ? answer
                : try String(contentsOf: Self.fixtures.appendingPathComponent("chat/\(answer).json"), encoding: .utf8)
            try text.write(to: served.appendingPathComponent(String(format: "%03d.json", k)), atomically: true, encoding: .utf8)
        }
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures.appendingPathComponent("chat-server.py").path, served.path,
                             folder.appendingPathComponent("requests.jsonl").path]
        process.standardOutput = out
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    /// The requests received, in order, as decoded JSON lines.
    public func requests() throws -> [[String: Any]] {
        let url = folder.appendingPathComponent("requests.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// SIGKILL: the test runner's children may inherit an ignored SIGTERM.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
