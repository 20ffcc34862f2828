/// Where `evolve` and `calibrate` run their evaluations: in this process (`local`), or through the Python
/// executor (`python -m sim_cascade.executor`) — each evaluation a `sim-cascade eval --json` on
/// this machine (`subprocess`) or a Ray task on a cluster (`ray`, `ray=HOST:PORT`; without an
/// address a cluster is started on loopback).
public enum ExecutorChoice: Sendable, Equatable, CustomStringConvertible {
    case local
    case subprocess
    case ray(address: String?)

    /// - Returns: `nil` for anything but `local`, `subprocess`, `ray` or `ray=ADDRESS`.
    public init?(_ text: String) {
        switch text {
        case "local": self = .local
        case "subprocess": self = .subprocess
        case "ray": self = .ray(address: nil)
        default:
            guard text.hasPrefix("ray="), text.count > 4 else { return nil }
            self = .ray(address: String(text.dropFirst(4)))
        }
    }

    public var description: String {
        switch self {
        case .local: return "local"
        case .subprocess: return "subprocess"
        case .ray(let address): return address.map { "ray=\($0)" } ?? "ray"
        }
    }
}
