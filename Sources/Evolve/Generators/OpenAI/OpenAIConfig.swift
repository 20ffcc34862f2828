import Foundation
import SimCore

/// The `openai` generator's settings, read from the `--config` JSON file:
///
/// ```json
/// {
///   "base_url": "http://127.0.0.1:8000/v1",
///   "api_key_env": "OPENAI_API_KEY",
///   "models": [{"name": "qwen2.5-coder-32b", "weight": 1}],
///   "temperature": 0.7, "max_tokens": 4096,
///   "timeout_seconds": 120, "retries": 2, "retry_delay_seconds": 2,
///   "prices": {"qwen2.5-coder-32b": {"prompt_per_million": 0.2, "completion_per_million": 0.6}}
/// }
/// ```
/// Only `base_url` and `models` are required. The key is read from the environment variable
/// `api_key_env` names (none is sent when it is absent or unset, as local servers expect).
public struct OpenAIConfig: Codable, Sendable, Equatable {
    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        public var weight: Double

        public init(name: String, weight: Double = 1) {
            self.name = name
            self.weight = weight
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        }
    }

    /// US dollars per million tokens.
    public struct Price: Codable, Sendable, Equatable {
        public var promptPerMillion: Double
        public var completionPerMillion: Double
    }

    public var baseURL: String
    public var apiKeyEnv: String?
    public var models: [Model]
    public var temperature: Double = 0.7
    public var maxTokens: Int = 4096
    public var timeoutSeconds: Double = 120
    /// Further attempts after a failed one (connection errors, timeouts, HTTP 429 and 5xx).
    public var retries: Int = 2
    public var retryDelaySeconds: Double = 2
    public var prices: [String: Price] = [:]

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url", apiKeyEnv = "api_key_env", models, temperature, maxTokens = "max_tokens"
        case timeoutSeconds = "timeout_seconds", retries, retryDelaySeconds = "retry_delay_seconds", prices
    }

    enum PriceKeys: String, CodingKey { case promptPerMillion = "prompt_per_million", completionPerMillion = "completion_per_million" }

    public init(baseURL: String, models: [Model], apiKeyEnv: String? = nil) {
        self.baseURL = baseURL
        self.models = models
        self.apiKeyEnv = apiKeyEnv
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try c.decode(String.self, forKey: .baseURL)
        apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        models = try c.decode([Model].self, forKey: .models)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? temperature
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? maxTokens
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? timeoutSeconds
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? retries
        retryDelaySeconds = try c.decodeIfPresent(Double.self, forKey: .retryDelaySeconds) ?? retryDelaySeconds
        prices = try c.decodeIfPresent([String: Price].self, forKey: .prices) ?? [:]
    }

    /// Reads and checks a config file.
    /// - Throws: `EvolveError.config` naming the file and what is wrong, in one line.
    public static func load(_ url: URL) throws -> OpenAIConfig {
        try checkKeys(url)
        let config = try decode(OpenAIConfig.self, from: url)
        try config.validate()
        return config
    }

    /// The optional `selection` object of a config file (snake_case keys).
    public static func selection(from url: URL) throws -> SelectionConfig? {
        struct File: Decodable { var selection: SelectionConfig? }
        try checkKeys(url)
        let selection = try decode(File.self, from: url, snakeCase: true).selection
        try selection?.validate()
        return selection
    }

    static let topLevelKeys: Set = ["base_url", "api_key_env", "models", "temperature", "max_tokens", "timeout_seconds", "retries",
                                    "retry_delay_seconds", "prices", "selection"]
    static let selectionKeys: Set = ["islands", "features", "bins", "exploration", "exploitation", "inspirations", "migration_interval"]

    /// A misspelt or misplaced key would otherwise be ignored silently.
    /// - Throws: `EvolveError.config` naming the first unknown key.
    static func checkKeys(_ url: URL) throws {
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return  // `decode` reports what is wrong with the file
        }
        if let unknown = object.keys.sorted().first(where: { !topLevelKeys.contains($0) }) {
            let hint = selectionKeys.contains(unknown) ? " (selection settings go in a \"selection\" object)" : ""
            throw EvolveError.config("\(url.path): unknown key '\(Escaped.value(unknown))'\(hint); known: \(topLevelKeys.sorted().joined(separator: ", "))")
        }
        if let selection = object["selection"] as? [String: Any],
           let unknown = selection.keys.sorted().first(where: { !selectionKeys.contains($0) }) {
            throw EvolveError.config("\(url.path): unknown key 'selection.\(Escaped.value(unknown))'; known: \(selectionKeys.sorted().joined(separator: ", "))")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from url: URL, snakeCase: Bool = false) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw EvolveError.config("cannot read \(url.path)") }
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw EvolveError.config("\(url.path) does not parse: \(Self.describe(error))")
        } catch {
            throw EvolveError.config("\(url.path) does not parse as JSON")
        }
    }

    /// - Throws: `EvolveError.config` for a value no run could use.
    public func validate() throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw EvolveError.config("base_url '\(Escaped.value(baseURL))' is not an http(s) URL")
        }
        guard !models.isEmpty, models.allSatisfy({ !$0.name.isEmpty && $0.weight > 0 && $0.weight.isFinite }) else {
            throw EvolveError.config("models needs at least one entry, each with a name and a positive weight")
        }
        guard (1...1_000_000).contains(maxTokens), (0.05...86_400).contains(timeoutSeconds), (0...100).contains(retries),
              (0...3600).contains(retryDelaySeconds), (0...2).contains(temperature) else {
            throw EvolveError.config("max_tokens must be 1…1000000, timeout_seconds 0.05…86400, retries 0…100, "
                                     + "retry_delay_seconds 0…3600, temperature 0…2")
        }
        for (model, price) in prices where !((0...1e6).contains(price.promptPerMillion) && (0...1e6).contains(price.completionPerMillion)) {
            throw EvolveError.config("the price of \(Escaped.value(model)) must be 0…1000000 $ per million tokens")
        }
    }

    /// The model names without a price (a budget cannot be kept without one).
    public var unpricedModels: [String] { models.map(\.name).filter { prices[$0] == nil } }

    /// The cost of a call, in US dollars.
    public func cost(model: String, promptTokens: Int, completionTokens: Int) -> Double {
        guard let price = prices[model] else { return 0 }
        return (Double(promptTokens) * price.promptPerMillion + Double(completionTokens) * price.completionPerMillion) / 1_000_000
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: return "\(error)"
        }
    }
}

extension OpenAIConfig.Price {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: OpenAIConfig.PriceKeys.self)
        promptPerMillion = try c.decode(Double.self, forKey: .promptPerMillion)
        completionPerMillion = try c.decode(Double.self, forKey: .completionPerMillion)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: OpenAIConfig.PriceKeys.self)
        try c.encode(promptPerMillion, forKey: .promptPerMillion)
        try c.encode(completionPerMillion, forKey: .completionPerMillion)
    }
}
