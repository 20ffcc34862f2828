import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one writer of a run folder: an exclusive advisory lock (`flock`) on `DIR/evolve.lock`,
/// held for the life of the process that took it.
///
/// The kernel drops the lock when the process ends, however it ends (`kill -9` included), so a
/// stale lock file never blocks a later run; the pid written into the file only names the
/// holder in the refusal. Readers (`runs show/list/dump/verify`) do not take it: SQLite's WAL
/// lets them read while the holder writes.
public final class RunFolderLock: Sendable {
    public static let fileName = "evolve.lock"
    private let descriptor: Int32
    public let folder: URL
    /// Whether this process made the folder (and so may remove it if it leaves nothing in it).
    public let createdFolder: Bool

    /// Creates `folder` if needed and takes its lock, or throws at once.
    /// - Throws: `EvolveError.runLocked` naming the holder's pid when another process holds it;
    ///   `EvolveError.store` when the folder or the lock file cannot be made (read-only, no space).
    public init(folder: URL) throws {
        self.folder = folder
        let existed = FileManager.default.fileExists(atPath: folder.path)
        try Self.makeFolders(folder)
        createdFolder = !existed
        let path = folder.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EvolveError.store(path: path, problem: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            defer { close(fd) }
            guard reason == EWOULDBLOCK else { throw EvolveError.store(path: path, problem: String(cString: strerror(reason))) }
            throw EvolveError.runLocked(folder: folder.path, pid: Self.holder(fd))
        }
        // Ours now: name this process as the holder.
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, pid, pid.count, 0) == pid.count else {
            let problem = String(cString: strerror(errno))
            close(fd)
            throw EvolveError.store(path: path, problem: problem)
        }
        descriptor = fd
    }

    /// `mkdir -p`, with the POSIX reason of the first folder that could not be made
    /// ("Permission denied", "Read-only file system"), which Foundation's errors do not keep.
    private static func makeFolders(_ folder: URL) throws {
        var path = ""
        for component in folder.standardizedFileURL.pathComponents where component != "/" {
            path += "/" + component
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw EvolveError.store(path: path, problem: "cannot create the run folder (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// The pid in the lock file; a holder that has just taken the lock may not have written it
    /// yet, so an empty file is read again for up to 50 ms.
    private static func holder(_ fd: Int32) -> Int32? {
        for _ in 0..<10 {
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &bytes, bytes.count, 0)
            if count > 0 {
                return Int32(String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(5_000)
        }
        return nil
    }

    /// After a run that wrote nothing: removes the lock file and the folder when this process
    /// made the folder and nothing else is in it.
    public func removeFolderIfUnused() {
        guard createdFolder,
              (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) == [Self.fileName] else { return }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(Self.fileName))
        rmdir(folder.path)
    }

    deinit { close(descriptor) }
}
