/// What one stage of the cascade may spend on a candidate. Both limits are enforced outside the
/// candidate: the wall clock by the parent's poll loop, CPU by RLIMIT_CPU; either one ends the
/// stage as a `timeout` failure.
public struct StageBudget: Sendable, Equatable, Codable {
    public var level: String
    /// Wall-clock seconds of the stage's run (child start to reap).
    public var wallSeconds: Double
    /// CPU seconds (RLIMIT_CPU, per process of the sandbox); `nil`: a backstop just above the
    /// wall limit.
    public var cpuSeconds: Int?

    public init(level: String, wallSeconds: Double, cpuSeconds: Int? = nil) {
        self.level = level
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
    }

    enum CodingKeys: String, CodingKey {
        case level
        case wallSeconds = "wall_seconds"
        case cpuSeconds = "cpu_seconds"
    }

    /// Parses `LEVEL=WALL[,CPU]` (seconds), as `--budget` takes it.
    /// - Throws: `CascadeError.invalidBudget` naming the text.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let numbers = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        guard parts.count == 2, !parts[0].isEmpty, (1...2).contains(numbers.count), let wall = Double(numbers[0]) else {
            throw CascadeError.invalidBudget(name: "--budget", value: text, reason: "expected LEVEL=WALL_SECONDS[,CPU_SECONDS]")
        }
        var cpu: Int?
        if numbers.count == 2 {
            guard let value = Int(numbers[1]) else {
                throw CascadeError.invalidBudget(name: "--budget", value: text, reason: "CPU seconds must be a whole number")
            }
            cpu = value
        }
        self.init(level: parts[0], wallSeconds: wall, cpuSeconds: cpu)
        _ = try validated(as: "--budget", text)
    }

    /// - Parameters: `name` and `value` name the budget in the error, as the user wrote it.
    /// - Throws: `CascadeError.invalidBudget` for a non-positive limit.
    public func validated(as name: String = "budget", _ value: String? = nil) throws -> StageBudget {
        let value = value ?? "\(level)=\(wallSeconds)" + (cpuSeconds.map { ",\($0)" } ?? "")
        guard (SandboxLimits.minimumWallSeconds ... 86_400).contains(wallSeconds) else {
            throw CascadeError.invalidBudget(name: name, value: value, reason: "wall seconds \(SandboxLimits.wallSecondsRule)")
        }
        if let cpuSeconds, !(1...86_400).contains(cpuSeconds) {
            throw CascadeError.invalidBudget(name: name, value: value, reason: "CPU seconds must be in [1, 86400]")
        }
        return self
    }
}

extension Sandbox {
    /// This sandbox with `budget`'s limits, never looser than its own (`eval --timeout` caps
    /// every stage).
    public func limited(to budget: StageBudget?) -> Sandbox {
        guard let budget else { return self }
        var copy = self
        copy.limits.wallSeconds = min(limits.wallSeconds, budget.wallSeconds)
        if let cpu = budget.cpuSeconds { copy.limits.cpuLimitSeconds = min(cpu, copy.limits.cpuSeconds) }
        return copy
    }
}
