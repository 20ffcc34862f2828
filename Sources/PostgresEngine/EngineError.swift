/// Every way the real-system engine fails. None is a candidate's fault: the candidate only
/// hands the trusted parent a schedule, so each of these is the machine's (exit status 3).
public enum EngineError: Error, Equatable, Sendable {
    /// The PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`) are not installed.
    case postgresMissing(searched: String)
    /// Running as root, but there is no unprivileged user to run the server as.
    case noServerUser(String)
    /// The server could not be set up or started; what failed and its output's last line.
    case serverStart(String)
    /// The server could not be reached, or stopped answering (died, connection lost).
    case serverLost(String)
    /// A statement failed in a way no schedule causes (not a deadlock or serialization failure).
    case query(sqlState: String, message: String)
    /// A transaction was aborted more times than any schedule needs: the engine is misbehaving.
    case tooManyRetries(transaction: Int, attempts: Int)
}

extension EngineError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .postgresMissing(let searched):
            return "the txn system level needs PostgreSQL's server programs (initdb, pg_ctl, postgres), not found in "
                + "\(searched): install them with ./scripts/install-deps.sh (or apt-get install postgresql); "
                + "the model levels (cost_model, coarse, fine) run without them (eval: --level fine, or --gates with "
                + "cascade_levels ending at fine)"
        case .noServerUser(let reason):
            return "cannot run PostgreSQL: \(reason)"
        case .serverStart(let reason):
            return "cannot start the PostgreSQL server: \(reason)"
        case .serverLost(let reason):
            return "the PostgreSQL server stopped answering: \(reason)"
        case .query(let state, let message):
            return "PostgreSQL refused a statement (SQLSTATE \(state)): \(message)"
        case .tooManyRetries(let transaction, let attempts):
            return "transaction \(transaction) was aborted \(attempts) times on PostgreSQL; giving up on this run"
        }
    }

    /// A fault the server may not repeat after a restart (it died, or stopped answering).
    public var isServerFault: Bool {
        switch self {
        case .serverLost, .serverStart: return true
        case .postgresMissing, .noServerUser, .query, .tooManyRetries: return false
        }
    }
}
