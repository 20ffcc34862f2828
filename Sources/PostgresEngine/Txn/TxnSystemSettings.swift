/// How a schedule is executed on the server.
public struct TxnSystemSettings: Sendable, Equatable {
    /// Client connections taking transactions in schedule order (the fine level's workers).
    public var connections = 4
    /// How long each operation holds its locks after taking them (the client sleeps while the
    /// transaction stays open), in microseconds: the public model's unit of time. A compute
    /// operation takes no lock and lasts as long.
    public var workMicroseconds = 200
    /// Runs of each schedule; the level reports their median and spread.
    public var runs = 3
    /// Attempts of one transaction before a run is given up (deadlock victims are retried).
    public var maxAttempts = 1000

    public init(connections: Int = 4, workMicroseconds: Int = 200, runs: Int = 3) {
        self.connections = connections
        self.workMicroseconds = workMicroseconds
        self.runs = runs
    }

    /// Why these settings cannot be used, or `nil`.
    public var problem: String? {
        if !(1...32).contains(connections) { return "connections must be in 1...32" }
        if !(0...1_000_000).contains(workMicroseconds) { return "the work time must be in 0...1000000 µs" }
        if !(1...101).contains(runs) { return "runs must be in 1...101" }
        return nil
    }
}
