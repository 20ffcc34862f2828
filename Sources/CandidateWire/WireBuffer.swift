// Little-endian framing shared by the trusted parent and the candidate's child process.
//
// A frame is a u32 byte count followed by that many bytes. The parent writes requests on the
// child's fd 3 and reads answers from the child's fd 4, so the child's stdout and stderr are only
// a log.

/// File descriptors of the query protocol inside the child.
import CandidateAPI

public enum WireDescriptors {
    /// The child reads requests here.
    public static let requests: Int32 = 3
    /// The child writes answers here.
    public static let answers: Int32 = 4
    /// The first bytes the child writes, from its `main`, before any candidate code runs.
    public static let hello: [UInt8] = Array("SCv1".utf8)
}

/// An append-only byte buffer for building frames.
public struct WireWriter: Sendable {
    public var bytes: [UInt8] = []

    @inlinable
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inlinable public var count: Int { bytes.count }

    @inlinable
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    @inlinable
    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }

    /// A length-prefixed UTF-8 string.
    @inlinable
    public mutating func string(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    @inlinable
    public mutating func f64(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Overwrites 4 bytes at `offset` (for a length prefix written before the payload is known).
    @inlinable
    public mutating func patchU32(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

/// A cursor over received bytes. Reads past the end return `nil`.
public struct WireReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public var remaining: Int { bytes.count - offset }

    @inlinable
    public mutating func u8() -> UInt8? {
        guard offset + 1 <= bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inlinable
    public mutating func u32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    public mutating func i32() -> Int32? { u32().map { Int32(bitPattern: $0) } }

    /// A length-prefixed UTF-8 string (invalid UTF-8 is repaired).
    @inlinable
    public mutating func string() -> String? {
        guard let count = u32().map(Int.init), count <= remaining else { return nil }
        defer { offset += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count]), as: UTF8.self)
    }

    @inlinable
    public mutating func f64() -> Double? {
        guard offset + 8 <= bytes.count else { return nil }
        defer { offset += 8 }
        return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
    }
}
