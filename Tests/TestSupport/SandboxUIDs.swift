import Foundation

/// A range of sandbox uids of one test's own (`$SIM_CASCADE_SANDBOX_UIDS`), so that what the
/// test checks from outside — processes, SysV segments, key users — is its own sandboxes',
/// never a machine-wide figure that other work on the machine moves.
public final class SandboxUIDs: Sendable, CustomStringConvertible {
    public let range: ClosedRange<UInt32>
    private let leaseFd: Int32
    private let leasePath: String

    /// A block of 1,000 uids in 2,000,000 ..< 4,000,000 (outside the default range) that no
    /// other live `SandboxUIDs` holds, in this process or another (two test runs at once): a
    /// random one or the next free, leased by a `flock` until this value is gone.
    public init() {
        let folder = "/tmp/sim-cascade-test-uid-blocks"  // one path for every run, whatever its $TMPDIR
        _ = mkdir(folder, 0o700)
        let first = Int.random(in: 0 ..< 2_000)
        for step in 0 ..< 2_000 {
            let block = (first + step) % 2_000
            let path = "\(folder)/\(block)"
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            var locked = stat(), current = stat()
            // Locked, and still the file at its path (a releasing holder unlinks it first).
            if flock(fd, LOCK_EX | LOCK_NB) == 0, fstat(fd, &locked) == 0, stat(path, &current) == 0,
               locked.st_ino == current.st_ino {
                let base = UInt32(2_000_000 + 1_000 * block)
                (range, leaseFd, leasePath) = (base ... base + 999, fd, path)
                return
            }
            close(fd)
        }
        fatalError("every test uid block under \(folder) is held")
    }

    deinit {
        unlink(leasePath)
        close(leaseFd)
    }

    public var description: String { "\(range.lowerBound)-\(range.upperBound)" }

    /// Live processes (any thread not a zombie) running as one of these uids.
    public func processes() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.filter { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let uid = Self.field("Uid:", in: status).flatMap(UInt32.init), range.contains(uid) else { return false }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            return tasks.contains { task in
                let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
                return !(Self.field("State:", in: text) ?? "Z").hasPrefix("Z")
            }
        }
    }

    /// Waits (up to `seconds`, polling) until none of these uids runs a process; the ones left.
    public func processesAfterWaiting(seconds: Double = 10) -> [String] {
        let end = Date().addingTimeInterval(seconds)
        var left = processes()
        while !left.isEmpty && Date() < end {
            usleep(50_000)
            left = processes()
        }
        return left
    }

    /// SysV shared memory segments on the host owned by one of these uids (/proc/sysvipc/shm).
    public func sharedMemorySegments() -> [String] {
        rows(of: "/proc/sysvipc/shm", uidColumn: "uid")
    }

    /// Lines of /proc/key-users naming one of these uids (a uid that holds or held keys).
    public func keyUsers() -> [String] {
        let text = (try? String(contentsOfFile: "/proc/key-users", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { line in
            let uid = line.split(separator: ":").first.map { $0.trimmingCharacters(in: .whitespaces) }
            return uid.flatMap(UInt32.init).map(range.contains) ?? false
        }
    }

    private func rows(of file: String, uidColumn: String) -> [String] {
        let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(whereSeparator: \.isWhitespace),
              let column = header.firstIndex(where: { $0 == uidColumn }) else { return [] }
        return lines.dropFirst().filter { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            return fields.count > column && UInt32(fields[column]).map(range.contains) == true
        }
    }

    private static func field(_ name: String, in status: String) -> String? {
        status.split(separator: "\n").first { $0.hasPrefix(name) }?
            .split(whereSeparator: \.isWhitespace).dropFirst().first.map(String.init)
    }
}
