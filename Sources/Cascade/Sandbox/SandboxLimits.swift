/// Budgets of one sandboxed run. Every limit is enforced by the parent or the kernel, never by
/// the candidate.
public struct SandboxLimits: Sendable, Equatable {
    /// Wall-clock limit of the whole run; the process group is SIGKILLed when it passes.
    public var wallSeconds: Double = 60
    /// The candidate's memory limit in bytes (`--memory-mb`): the memory cgroup's limit on the
    /// sandbox's resident memory where there is one (RLIMIT_AS is then twice it, a backstop),
    /// else RLIMIT_AS of each process.
    public var addressSpaceBytes: Int = 2 << 30
    /// Largest file the child may write (RLIMIT_FSIZE), in bytes.
    public var fileSizeBytes: Int = 16 << 20
    /// Open files (RLIMIT_NOFILE).
    public var openFiles: Int = 32
    /// Processes (and threads) of the candidate (RLIMIT_NPROC, counted in the sandbox's own
    /// user namespace). Candidates are single-threaded; 2 lets one helper process or thread
    /// exist and bounds the sandbox's memory to twice `addressSpaceBytes` without a cgroup.
    public var processes: Int = 2
    /// Cap the sandbox's processes together with a memory cgroup, where the machine allows
    /// (`Sandbox.make` turns it off, with a warning, where it does not).
    public var memoryCgroup = true
    /// Size of the sandbox's private tmpfs (its /tmp), in bytes.
    public var scratchBytes: Int = 64 << 20
    /// Files and folders the private tmpfs may hold.
    public var scratchFiles: Int = 4096
    /// Bytes of stdout + stderr kept; more is an `output_limit` failure.
    public var logBytes: Int = 1 << 20

    public init() {}

    /// The shortest wall-clock budget: below it a run's budget is spent by the kernel's
    /// scheduling of the sandbox's first instructions, not by the candidate.
    public static let minimumWallSeconds = 0.05
    static let wallSecondsRule = "must be in [\(minimumWallSeconds), 86400] seconds (\(minimumWallSeconds) s is the shortest budget kept)"

    /// The largest `--memory-mb`: 16 TiB, far above any machine, far below a wrap of the shift.
    public static let maxMemoryMB = 1 << 24
    /// The largest `--log-limit-kb`: 1 GiB.
    public static let maxLogKB = 1 << 20

    /// A CPU budget of its own (a stage's); `nil`: `cpuSeconds` is a backstop just above the
    /// wall-clock limit, which normally fires first.
    public var cpuLimitSeconds: Int?

    /// RLIMIT_CPU.
    public var cpuSeconds: Int { cpuLimitSeconds ?? Int(wallSeconds.rounded(.up)) + 2 }

    /// - Throws: `CascadeError.invalidBudget` for a non-positive or absurd value.
    public func validated() throws -> SandboxLimits {
        guard (Self.minimumWallSeconds ... 86_400).contains(wallSeconds) else {
            throw CascadeError.invalidBudget(name: "--timeout", value: "\(wallSeconds)", reason: Self.wallSecondsRule)
        }
        guard addressSpaceBytes >= 64 << 20 else {
            throw CascadeError.invalidBudget(name: "--memory-mb", value: "\(addressSpaceBytes >> 20)", reason: "must be at least 64")
        }
        guard logBytes > 0 else {
            throw CascadeError.invalidBudget(name: "--log-limit-kb", value: "\(logBytes >> 10)", reason: "must be positive")
        }
        return self
    }
}
