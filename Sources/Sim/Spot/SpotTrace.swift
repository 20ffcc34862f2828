import Foundation
import SimCore

/// A spot availability trace: one entry per tick, `1` meaning spot is **unavailable**.
public struct SpotTrace: Sendable, Equatable {
    /// Length of one tick in seconds.
    public var gapSeconds: Double
    /// `unavailable[i] == 1` when spot cannot run during tick `i`.
    public var unavailable: [UInt8]
    /// Spot price per tick in $/h, when the trace carries prices (multi-region traces).
    public var prices: [Double]?
    /// The largest spot price accepted, in $/h: far above any real one, far below an overflow.
    public static let maximumPrice = 1e6

    public init(gapSeconds: Double, unavailable: [UInt8], prices: [Double]? = nil) {
        self.gapSeconds = gapSeconds
        self.unavailable = unavailable
        self.prices = prices
    }

    public var tickCount: Int { unavailable.count }

    /// The longest tick accepted (one week): bounds every tick count derived from a gap.
    public static let maximumGapSeconds = 604_800.0

    /// Ticks `start ..< start + ticks`, after checking that they lie inside the trace.
    ///
    /// - Parameter name: the file name used in the error.
    /// - Complexity: O(1) (a slice shares storage).
    public func window(start: Int, ticks: Int, name: String) throws -> ArraySlice<UInt8> {
        guard start >= 0 else {
            throw SimError.invalidParameter(name: "start tick", value: "\(start)", reason: "must be ≥ 0")
        }
        guard ticks > 0 else {
            throw SimError.invalidParameter(name: "window length", value: "\(ticks)", reason: "must be at least 1 tick")
        }
        // Written so that no sum can overflow.
        guard start < unavailable.count, ticks <= unavailable.count - start else {
            throw SimError.windowOutOfRange(file: name, start: start, ticks: ticks,
                                            traceTicks: unavailable.count)
        }
        return unavailable[start ..< start + ticks]
    }
}

extension SpotTrace {
    private struct File: Decodable {
        struct Metadata: Decodable { var gap_seconds: Double }
        var metadata: Metadata
        // Doubles, so that a stray 0.5 is reported where it is rather than as "not valid JSON".
        var data: [Double]
        var prices: [Double]?
    }

    /// Reads a trace in the public format: `{"metadata": {"gap_seconds": G}, "data": [0|1, ...],
    /// "prices": [...]?}`.
    ///
    /// - Throws: `SimError.fileNotFound` or `SimError.malformedFile` naming the file.
    /// - Complexity: O(ticks).
    public static func load(from url: URL) throws -> SpotTrace {
        let file = try JSONFile.decode(File.self, from: url)
        guard file.metadata.gap_seconds >= 1e-3, file.metadata.gap_seconds <= SpotTrace.maximumGapSeconds else {
            throw SimError.malformedFile(
                url.path, reason: "gap_seconds must be between 0.001 and \(Int(SpotTrace.maximumGapSeconds)) seconds")
        }
        guard !file.data.isEmpty else {
            throw SimError.malformedFile(url.path, reason: "data is empty")
        }
        var unavailable = [UInt8](repeating: 0, count: file.data.count)
        for (i, value) in file.data.enumerated() {
            guard value == 0 || value == 1 else {
                let shown = value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
                throw SimError.malformedFile(url.path, reason: "data[\(i)] is \(shown), expected 0 or 1")
            }
            unavailable[i] = UInt8(value)
        }
        if let prices = file.prices, prices.count != file.data.count {
            throw SimError.malformedFile(
                url.path, reason: "prices has \(prices.count) entries for \(file.data.count) ticks")
        }
        // A price is $/h: negative ones would pay the policy for running, and ones near the
        // largest double would make every cost infinite.
        if let prices = file.prices, let k = prices.firstIndex(where: { !($0 >= 0 && $0 <= SpotTrace.maximumPrice) }) {
            throw SimError.malformedFile(url.path, reason: "prices[\(k)] is \(prices[k]), expected $/h in [0, \(Int(SpotTrace.maximumPrice))]")
        }
        return SpotTrace(gapSeconds: file.metadata.gap_seconds, unavailable: unavailable,
                         prices: file.prices)
    }
}
