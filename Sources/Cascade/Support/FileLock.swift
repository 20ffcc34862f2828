import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, waited for, held until `release()` (or the process's end,
/// however it ends: the kernel drops it, so a killed holder never blocks the next one).
struct FileLock: Sendable {
    let fd: Int32

    /// Waits for the lock of `path`, creating the file when `create` is set.
    /// - Throws: `CascadeError.system` when the file cannot be opened.
    init(_ path: String, create: Bool = false) throws {
        fd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CascadeError.system("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    func release() { close(fd) }
}
