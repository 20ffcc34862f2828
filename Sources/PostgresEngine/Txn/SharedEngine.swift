import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension TxnSystemEngine {
    /// This process's engine: its server is started at first use (with stale servers of dead
    /// owners stopped first) and stopped when the process exits normally; after a crash, the
    /// next start's stale cleanup stops it. A failed start is tried again at the next use.
    /// - Throws: `EngineError` when the server cannot be started.
    public static func shared() throws -> TxnSystemEngine { try SharedEngine.instance.engine() }

    /// Stops the shared server now (also run at exit).
    public static func stopShared() { SharedEngine.instance.stop() }
}

private final class SharedEngine: @unchecked Sendable {
    static let instance = SharedEngine()
    private let lock = NSLock()
    private var current: TxnSystemEngine?
    private var registered = false

    func engine() throws -> TxnSystemEngine {
        lock.lock()
        defer { lock.unlock() }
        if let current { return current }
        let engine = TxnSystemEngine(server: try PostgresServer.start())
        current = engine
        if !registered {
            registered = true
            atexit { TxnSystemEngine.stopShared() }
        }
        return engine
    }

    func stop() {
        lock.lock()
        let engine = current
        current = nil
        lock.unlock()
        engine?.server.stop()
    }
}
