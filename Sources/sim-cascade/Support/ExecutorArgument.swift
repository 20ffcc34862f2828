import ArgumentParser
import Cascade

/// `--executor local|subprocess|ray|ray=HOST:PORT` (`evolve`, `calibrate`).
extension ExecutorChoice: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }

    /// The option's help, the same for every command that takes it.
    static let help = ArgumentHelp(
        "Where evaluations run: local (this process), subprocess (one sim-cascade eval each, through the Python executor), ray (a Ray cluster started on loopback) or ray=HOST:PORT (a running one; see docs/scale-out.md). An evolve run's store, and a calibration's report but for its timings, do not depend on it.",
        valueName: "executor")
}
