import Cascade
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// The one writer of a run folder: an exclusive lock (`FileLock`) on `DIR/evolve.lock`, held for
/// the life of the process that took it.
///
/// The kernel drops the lock when the process ends, however it ends (`kill -9` included), so a
/// stale lock file never blocks a later run; the pid written into the file only names the
/// holder in the refusal. Readers (`runs show/list/dump/verify`) do not take it: SQLite's WAL
/// lets them read while the holder writes.
public final class RunFolderLock: Sendable {
    public static let fileName = "evolve.lock"
    private let lock: FileLock
    public let folder: URL
    /// Whether this process made the folder (and so may remove it if it leaves nothing in it).
    public var createdFolder: Bool { !createdFolders.isEmpty }
    /// The folders this process made for it, the run folder last (`mkdir -p`'s parents first).
    private let createdFolders: [String]

    /// Creates `folder` if needed and takes its lock, or throws at once.
    /// - Throws: `EvolveError.runLocked` naming the holder's pid when another process holds it;
    ///   `EvolveError.notAFolder` when the path is a file; `EvolveError.store` when the folder or
    ///   the lock file cannot be made (read-only, no space).
    public init(folder: URL) throws {
        self.folder = folder
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && !isFolder.boolValue {
            throw EvolveError.notAFolder(folder.path)
        }
        createdFolders = try Self.makeFolders(folder)
        let path = folder.appendingPathComponent(Self.fileName).path
        do {
            lock = try FileLock(path, create: true, wait: false)
        } catch FileLock.Refusal.held(let holder) {
            throw EvolveError.runLocked(folder: folder.path, pid: holder.firstLine.flatMap { Int32($0) })
        } catch FileLock.Refusal.failed(let path, let reason) {
            throw EvolveError.store(path: path, problem: reason)
        }
        // Ours now: name this process as the holder.
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(lock.fd, 0) == 0, pwrite(lock.fd, pid, pid.count, 0) == pid.count else {
            let problem = String(cString: strerror(errno))
            lock.release()
            throw EvolveError.store(path: path, problem: problem)
        }
    }

    /// `mkdir -p`, with the POSIX reason of the first folder that could not be made
    /// ("Permission denied", "Read-only file system"), which Foundation's errors do not keep.
    /// - Returns: the folders it made, outermost first.
    private static func makeFolders(_ folder: URL) throws -> [String] {
        var path = "", made: [String] = []
        for component in folder.standardizedFileURL.pathComponents where component != "/" {
            path += "/" + component
            if mkdir(path, 0o755) == 0 { made.append(path); continue }
            if errno == EEXIST { continue }
            if errno == ENOTDIR { throw EvolveError.notAFolder(path) }
            throw EvolveError.store(path: path, problem: "cannot create the run folder (\(String(cString: strerror(errno))))")
        }
        return made
    }

    /// After a run that wrote nothing: removes the lock file and the folders this process made
    /// for it (`runs/` too, when it made that), innermost first, each only while it is empty.
    /// (A process waiting to lock the removed file finds it gone and makes a new one:
    /// `FileLock` checks the file it locked is still there.)
    public func removeFolderIfUnused() {
        guard createdFolder,
              (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) == [Self.fileName] else { return }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(Self.fileName))
        for path in createdFolders.reversed() where rmdir(path) != 0 { break }
    }

    deinit { lock.release() }
}
