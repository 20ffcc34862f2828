import Cascade
import Foundation
@testable import Evolve
import SimCore
import TestSupport
import Testing

/// The `openai` generator against a loopback server answering from hand-written fixtures: no
/// network. The loop runs with the stand-in evaluator of `EvolutionLoopTests`.
@Suite(.serialized) struct OpenAIGeneratorTests {
    static func config(_ server: ChatServer, retries: Int = 0, timeout: Double = 5) -> OpenAIConfig {
        var config = OpenAIConfig(baseURL: server.baseURL, models: [.init(name: "coder-a", weight: 3), .init(name: "coder-b", weight: 1)],
                                  apiKeyEnv: "SIM_CASCADE_TEST_KEY")
        config.retries = retries
        config.retryDelaySeconds = 0
        config.timeoutSeconds = timeout
        config.maxTokens = 1000
        config.prices = ["coder-a": .init(promptPerMillion: 1, completionPerMillion: 2), "coder-b": .init(promptPerMillion: 4, completionPerMillion: 8)]
        return config
    }

    static func generator(_ config: OpenAIConfig, record: URL? = nil) throws -> OpenAIGenerator {
        try OpenAIGenerator(config: config, apiReference: ["spot": "public struct SpotView { … }"], record: record,
                            environment: ["SIM_CASCADE_TEST_KEY": "sk-test"])
    }

    static let request = GenerationRequest(problem: .spot, parent: CandidateProblem.spot.template, parentReport: "score: 96.5",
                                           inspirations: ["// another program"], lastErrors: ["coarse: deadline_miss"])

    private func store() throws -> ProgramStore {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-openai-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try ProgramStore(path: folder.appendingPathComponent("store.sqlite").path)
    }

    @Test func anAnswerIsParsedPricedAndTheRequestCarriesTheContext() throws {
        let server = try ChatServer(answers: ["edit-threshold"])
        var generator = try Self.generator(Self.config(server))
        let response = try generator.propose(Self.request)
        #expect(response.promptTokens == 1200 && response.completionTokens == 80)
        let (promptPrice, completionPrice): (Double, Double) = response.model == "coder-a" ? (1, 2) : (4, 8)
        let price: Double = (1200 * promptPrice + 80 * completionPrice) / 1e6
        #expect(abs(response.costUSD - price) < 1e-12)
        let child = try EditApplier.apply(try EditParser.parse(response.text), to: CandidateProblem.spot.template)
        #expect(child.contains("if need2 > left * 0.95 {"))
        let sent = try server.requests()
        #expect(sent.count == 1 && sent[0]["authorization"] as? String == "Bearer sk-test")
        let body = sent[0]["body"] as! [String: Any]
        let messages = body["messages"] as! [[String: String]]
        #expect(body["max_tokens"] as? Int == 1000 && messages.map { $0["role"]! } == ["system", "user"])
        #expect(messages[0]["content"]!.contains("SpotView") && messages[0]["content"]!.contains("<<<<<<< SEARCH"))
        for part in ["score: 96.5", "// another program", "coarse: deadline_miss", "EVOLVE-BLOCK-START"] {
            #expect(messages[1]["content"]!.contains(part))
        }
        // The worst case covers this call: its prompt estimate plus max_tokens at the priciest model.
        #expect(generator.worstCaseCostUSD(Self.request) >= price)
    }

    @Test func modelsAreDrawnByWeightFromTheSeededStream() throws {
        let server = try ChatServer(answers: [])
        var a = try Self.generator(Self.config(server)), b = try Self.generator(Self.config(server))
        let draws = (0..<400).map { _ in a.pickModel() }
        #expect(draws == (0..<400).map { _ in b.pickModel() })
        let share = Double(draws.filter { $0 == "coder-a" }.count) / 400
        #expect(share > 0.65 && share < 0.85, "weights 3:1 (share \(share))")
    }

    @Test func overloadIsRetriedAndErrorsAreNamed() throws {
        let retried = try ChatServer(answers: ["http-503", "edit-threshold"])
        var generator = try Self.generator(Self.config(retried, retries: 1))
        #expect(try generator.propose(Self.request).completionTokens == 80)
        #expect(try retried.requests().count == 2)

        let cases: [(answers: [String], retries: Int, timeout: Double, message: String)] = [
            (["http-503", "http-503"], 1, 5, "HTTP 503"),
            (["http-400"], 2, 5, "HTTP 400"),
            (["malformed"], 0, 5, "malformed response"),
            (["slow"], 0, 0.5, "no answer within 0.5 s"),
        ]
        for c in cases {
            let server = try ChatServer(answers: c.answers)
            var generator = try Self.generator(Self.config(server, retries: c.retries, timeout: c.timeout))
            do {
                _ = try generator.propose(Self.request)
                Issue.record("\(c.answers) should fail")
            } catch let error as EvolveError {
                guard case .generatorFailed(let message) = error else { Issue.record("\(error)"); continue }
                #expect(message.contains(c.message), "\(message)")
            }
        }
        let refused = try ChatServer(answers: ["http-401"])
        var denied = try Self.generator(Self.config(refused, retries: 3))
        #expect(throws: EvolveError.self) { try denied.propose(Self.request) }
        #expect(try refused.requests().count == 1, "a refused key is not retried")
    }

    @Test func inALoopFailedCallsAreRecordedIterationsAndAnUnreachableEndpointStopsTheRunWithNothingLost() throws {
        let server = try ChatServer(answers: ["edit-threshold", "no-edit", "outside-block", "http-400", "malformed", "edit-rewrite"])
        let s = try store()
        var settings = EvolutionSettings(problem: "spot", seed: 5, generator: "openai")
        settings.budgetUSD = 10
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           generator: Self.generator(Self.config(server)),
                                           evaluate: EvolutionLoopTests.fakeEvaluate(EvolutionLoopTests.Counter()))
        try loop.run(until: 6)
        let calls = try s.calls(run: "r")
        #expect(calls.count == 6 && calls.allSatisfy { !$0.prompt.isEmpty })
        #expect(calls[0].error == nil && calls[0].promptTokens == 1200 && calls[0].costUSD > 0)
        #expect(calls[1].error?.contains("no SEARCH/REPLACE") == true)
        #expect(calls[2].error?.contains("outside the evolve block") == true)
        #expect(calls[3].error?.contains("HTTP 400") == true && calls[4].error?.contains("malformed") == true)
        #expect(calls[5].error == nil)
        #expect(try s.programs(run: "r").count == 3)  // the initial program and two children
        #expect(abs(loop.spent - calls.reduce(0) { $0 + $1.costUSD }) < 1e-12)

        // Nothing listens on the port any more: the run stops with one clear error, the store intact.
        let config = Self.config(server)
        server.stop()
        let resumed = try EvolutionLoop.resume(store: s, runID: "r", generator: Self.generator(config),
                                               evaluate: EvolutionLoopTests.fakeEvaluate(EvolutionLoopTests.Counter()))
        do {
            try resumed.run(until: 8)
            Issue.record("an unreachable endpoint must stop the run")
        } catch let error as EvolveError {
            guard case .generatorUnavailable(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("cannot reach"))
        }
        #expect(try s.run(id: "r")?.iteration == 6 && s.calls(run: "r").count == 6)
    }

    @Test func recordedExchangesReplayThroughTheServer() throws {
        let live = try ChatServer(answers: ["edit-threshold", "http-400"])
        let record = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: record) }
        var recording = try Self.generator(Self.config(live), record: record)
        let first = try recording.propose(Self.request)
        #expect(throws: EvolveError.self) { try recording.propose(Self.request) }
        let saved = try FileManager.default.contentsOfDirectory(atPath: record.path).sorted()
        #expect(saved == ["0001.json", "0002.json"])
        let replay = try ChatServer(answers: try saved.map { try String(contentsOf: record.appendingPathComponent($0), encoding: .utf8) })
        var replaying = try Self.generator(Self.config(replay))
        let again = try replaying.propose(Self.request)
        #expect(again.text == first.text && again.promptTokens == first.promptTokens)
        #expect(throws: EvolveError.self) { try replaying.propose(Self.request) }
    }

    @Test func aConfigThatDoesNotParseOrCannotWorkIsOneClearError() throws {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = [
            ("{ not json", "does not parse: not valid JSON"),
            (#"{"models": [{"name": "m"}]}"#, "missing key 'base_url'"),
            (#"{"base_url": "ftp://x", "models": [{"name": "m"}]}"#, "is not an http(s) URL"),
            (#"{"base_url": "http://127.0.0.1:1/v1", "models": []}"#, "at least one entry"),
            (#"{"base_url": "http://127.0.0.1:1/v1", "models": [{"name": "m"}], "retries": "two"}"#, "wrong type at 'retries'"),
        ]
        for (k, (text, message)) in cases.enumerated() {
            let file = folder.appendingPathComponent("\(k).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            do {
                _ = try OpenAIConfig.load(file)
                Issue.record("\(text) should be refused")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
        let good = folder.appendingPathComponent("good.json")
        try #"{"base_url": "http://127.0.0.1:8000/v1", "models": [{"name": "m", "weight": 2}], "prices": {"m": {"prompt_per_million": 1, "completion_per_million": 3}}}"#
            .write(to: good, atomically: true, encoding: .utf8)
        let config = try OpenAIConfig.load(good)
        #expect(config.models == [.init(name: "m", weight: 2)] && config.unpricedModels.isEmpty && config.retries == 2)
        #expect(abs(config.cost(model: "m", promptTokens: 1_000_000, completionTokens: 1_000_000) - 4) < 1e-12)
    }

    @Test(arguments: CandidateProblem.allCases)
    func everyProblemsPromptCanShowItsCandidateAPI(problem: CandidateProblem) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for file in problem.apiSourceFiles {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file)")
        }
        let prompt = ChatPrompt(GenerationRequest(problem: problem, parent: problem.template), apiReference: "API TEXT")
        #expect(prompt.system.contains("API TEXT") && prompt.system.contains("problem `\(problem.rawValue)`"))
    }
}
