import Foundation
import SimCore

/// Proposes children by asking an OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp
/// server, Ollama, OpenAI). The model of each call is drawn from the configured weights with the
/// generator's seeded stream; failed attempts are retried; token usage and cost are returned with
/// the answer so the loop records them and keeps the run's budget.
public struct OpenAIGenerator: ProgramGenerator {
    public var rng = SeededGenerator(seed: 0)
    public let config: OpenAIConfig
    let transport: any ChatTransport
    let apiKey: String?
    let apiReference: [String: String]
    /// Where exchanges are saved as fixtures (`--record DIR`), one numbered JSON file each.
    let recorder: ExchangeRecorder?
    let sleep: @Sendable (Double) -> Void

    /// - Parameters:
    ///   - apiReference: per problem name, the candidate API declarations to show the model.
    ///   - environment: where the key named by `api_key_env` is looked up.
    public init(config: OpenAIConfig, transport: any ChatTransport = URLSessionTransport(), apiReference: [String: String] = [:],
                record: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                sleep: @escaping @Sendable (Double) -> Void = { if $0 > 0 { usleep(UInt32(min($0, 60) * 1_000_000)) } }) throws {
        self.config = config
        self.transport = transport
        self.apiKey = config.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        self.apiReference = apiReference
        self.recorder = try record.map(ExchangeRecorder.init)
        self.sleep = sleep
    }

    /// At most one prompt token per UTF-8 byte (byte-level tokenizers never exceed it), plus
    /// `max_tokens`, at the priciest configured model.
    public func worstCaseCostUSD(_ request: GenerationRequest) -> Double {
        let promptTokens = prompt(request).text.utf8.count
        return config.models.map { config.cost(model: $0.name, promptTokens: promptTokens, completionTokens: config.maxTokens) }.max() ?? 0
    }

    public mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse {
        let model = pickModel()
        let prompt = prompt(request)
        let body = try Self.requestBody(model: model, prompt: prompt, config: config)
        var headers = ["Content-Type": "application/json"]
        if let apiKey { headers["Authorization"] = "Bearer \(apiKey)" }
        let url = URL(string: config.baseURL.hasSuffix("/") ? config.baseURL + "chat/completions" : config.baseURL + "/chat/completions")!
        var lastProblem = ""
        var unreachable = false
        for attempt in 0...config.retries {
            if attempt > 0 { sleep(config.retryDelaySeconds * Double(attempt)) }
            let status: Int, data: Data
            do {
                (status, data) = try transport.post(url, headers: headers, body: body, timeout: config.timeoutSeconds)
            } catch let failure as TransportFailure {
                switch failure {
                case .timedOut: (lastProblem, unreachable) = ("no answer within \(config.timeoutSeconds) s", false)
                case .unreachable(let why): (lastProblem, unreachable) = ("cannot reach \(url.absoluteString): \(why)", true)
                }
                continue
            }
            try recorder?.save(request: body, status: status, body: data)
            switch status {
            case 200..<300:
                return try Self.response(data, model: model, prompt: prompt, config: config)
            case 401, 403:
                throw EvolveError.generatorUnavailable("HTTP \(status) from \(url.absoluteString): check the key in $\(config.apiKeyEnv ?? "…")")
            case 404:
                throw EvolveError.generatorUnavailable("HTTP 404 from \(url.absoluteString): check base_url and the model name")
            case 408, 429, 500...:
                (lastProblem, unreachable) = ("HTTP \(status)\(Self.snippet(data))", false)
            default:
                throw EvolveError.generatorFailed("HTTP \(status)\(Self.snippet(data))")
            }
        }
        let attempts = "after \(config.retries + 1) attempt\(config.retries == 0 ? "" : "s")"
        throw unreachable ? EvolveError.generatorUnavailable("\(lastProblem) (\(attempts))")
            : EvolveError.generatorFailed("\(lastProblem) (\(attempts))")
    }

    public func promptText(_ request: GenerationRequest) -> String { prompt(request).text }
    public var usesParentReport: Bool { true }

    func prompt(_ request: GenerationRequest) -> ChatPrompt {
        ChatPrompt(request, apiReference: apiReference[request.problem.rawValue])
    }

    /// A model drawn by weight.
    mutating func pickModel() -> String {
        let total = config.models.reduce(0) { $0 + $1.weight }
        var draw = rng.nextUnitDouble() * total
        for model in config.models {
            draw -= model.weight
            if draw < 0 { return model.name }
        }
        return config.models[config.models.count - 1].name
    }

    static func requestBody(model: String, prompt: ChatPrompt, config: OpenAIConfig) throws -> Data {
        struct Message: Encodable { var role: String; var content: String }
        struct Body: Encodable { var model: String; var messages: [Message]; var temperature: Double; var max_tokens: Int }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(Body(model: model, messages: [Message(role: "system", content: prompt.system),
                                                                Message(role: "user", content: prompt.user)],
                                       temperature: config.temperature, max_tokens: config.maxTokens))
    }

    /// The answer of a 2xx response, or `generatorFailed` when it is not a chat completion.
    static func response(_ data: Data, model: String, prompt: ChatPrompt, config: OpenAIConfig) throws -> GenerationResponse {
        struct Completion: Decodable {
            struct Choice: Decodable { struct Message: Decodable { var content: String? }; var message: Message? }
            struct Usage: Decodable { var prompt_tokens: Int?; var completion_tokens: Int? }
            var model: String?
            var choices: [Choice]?
            var usage: Usage?
        }
        guard let completion = try? JSONDecoder().decode(Completion.self, from: data) else {
            throw EvolveError.generatorFailed("malformed response: not a chat completion\(snippet(data))")
        }
        guard let content = completion.choices?.first?.message?.content else {
            throw EvolveError.generatorFailed("malformed response: no choices[0].message.content")
        }
        // Servers that report no usage are charged by estimate, so a budget still holds.
        let promptTokens = completion.usage?.prompt_tokens ?? (prompt.text.utf8.count + 2) / 3
        let completionTokens = completion.usage?.completion_tokens ?? (content.utf8.count + 2) / 3
        return GenerationResponse(text: content, model: model, prompt: prompt.text, promptTokens: promptTokens,
                                  completionTokens: completionTokens,
                                  costUSD: config.cost(model: model, promptTokens: promptTokens, completionTokens: completionTokens))
    }

    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? "" : ": \(text)"
    }
}

/// Saves exchanges in the fixture format the tests' loopback server answers from:
/// `{"request": …, "status": N, "body": …}` (`raw_body` when the body is not JSON).
final class ExchangeRecorder: @unchecked Sendable {
    let folder: URL
    private var next: Int

    init(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw EvolveError.config("cannot create the record folder \(folder.path)")
        }
        self.folder = folder
        next = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.count + 1
    }

    func save(request: Data, status: Int, body: Data) throws {
        var exchange: [String: Any] = ["status": status]
        exchange["request"] = try? JSONSerialization.jsonObject(with: request)
        if let json = try? JSONSerialization.jsonObject(with: body) { exchange["body"] = json } else {
            exchange["raw_body"] = String(decoding: body, as: UTF8.self)
        }
        let data = try JSONSerialization.data(withJSONObject: exchange, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: folder.appendingPathComponent(String(format: "%04d.json", next)))
        next += 1
    }
}
