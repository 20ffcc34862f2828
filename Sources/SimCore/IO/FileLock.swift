import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, held until `release()` or the process's end, however it ends
/// (the kernel drops it, so a killed holder never blocks the next one).
///
/// A lock file that may be removed (a run folder's, a cache key's) is locked, then checked to
/// still be the file at its path: a holder that removes it before releasing would otherwise let
/// a waiter hold a lock on a file no one else can reach, beside a new holder of the new file.
public struct FileLock: Sendable {
    /// Why a lock was not taken.
    public enum Refusal: Error, Sendable {
        /// Another open file description holds it (`wait: false`).
        case held(by: FileLock.Holder)
        /// The file cannot be opened or locked: the POSIX reason.
        case failed(path: String, reason: String)
    }

    /// The descriptor of a lock held by someone else, to read what the holder wrote into it.
    public struct Holder: Sendable {
        /// The file's first line (a holder may write its pid there), once it is not empty; read
        /// again for up to 50 ms, as a holder that just took the lock may not have written yet.
        public let firstLine: String?
    }

    public let fd: Int32

    /// Takes the lock of `path`, waiting for it unless `wait` is false.
    /// - Parameter create: create the file (mode 0600) when missing, else open it read-only.
    /// - Throws: `Refusal`.
    public init(_ path: String, create: Bool = false, wait: Bool = true) throws {
        while true {
            let fd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Refusal.failed(path: path, reason: String(cString: strerror(errno))) }
            var result: Int32
            repeat { result = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) } while result != 0 && errno == EINTR
            if result != 0 {
                let reason = errno
                defer { close(fd) }
                if reason == EWOULDBLOCK { throw Refusal.held(by: Holder(firstLine: Self.firstLine(fd))) }
                throw Refusal.failed(path: path, reason: String(cString: strerror(reason)))
            }
            // Still the file at `path`? Else it was removed (or replaced) while we waited: again.
            var locked = stat(), current = stat()
            if fstat(fd, &locked) == 0, stat(path, &current) == 0, locked.st_dev == current.st_dev, locked.st_ino == current.st_ino {
                self.fd = fd
                return
            }
            close(fd)
            if !create { throw Refusal.failed(path: path, reason: "removed while waiting for its lock") }
        }
    }

    public func release() { close(fd) }

    private static func firstLine(_ fd: Int32) -> String? {
        for _ in 0..<10 {
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = pread(fd, &bytes, bytes.count, 0)
            if count > 0 {
                return String(decoding: bytes.prefix(count), as: UTF8.self).split(separator: "\n").first.map(String.init)
            }
            usleep(5_000)
        }
        return nil
    }
}
