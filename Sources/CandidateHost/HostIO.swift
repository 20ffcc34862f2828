#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CandidateWire

/// Blocking reads and writes of whole frames on the protocol descriptors, inside the child.
///
/// Any failed call ends the conversation: the child installs no signal handlers, so a blocking
/// call cannot return EINTR, and not touching `errno` keeps the Glibc overlay (and its static
/// library) out of candidate links.
enum HostIO {
    /// Reads length-prefixed frames with as few system calls as possible (usually one per
    /// frame: a whole request arrives at once).
    struct FrameReader {
        let fd: Int32
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var start = 0
        var end = 0

        init(fd: Int32) { self.fd = fd }

        /// Ensures `count` unread bytes are buffered; `false` at end of input or on error.
        mutating func fill(_ count: Int) -> Bool {
            if end - start >= count { return true }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            if buffer.count < count {
                buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
            }
            while end < count {
                let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + end, raw.count - end) }
                if n > 0 { end += n } else { return false }
            }
            return true
        }

        /// Calls `body` with the next frame's payload; `nil` when the parent closed the pipe.
        mutating func nextFrame<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? {
            guard fill(4) else { return nil }
            let length = buffer.withUnsafeBytes {
                Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
            }
            guard fill(4 + length) else { return nil }
            let payloadStart = start + 4
            start += 4 + length
            return buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[payloadStart ..< payloadStart + length])) }
        }
    }

    /// Writes all of `bytes`; exits the process if the parent went away.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n > 0 { done += n } else { exit(0) }
            }
        }
    }
}
