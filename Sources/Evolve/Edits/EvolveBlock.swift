/// A candidate source split around its evolvable region.
public struct EvolveBlock: Sendable, Equatable {
    public static let startMarker = "// EVOLVE-BLOCK-START"
    public static let endMarker = "// EVOLVE-BLOCK-END"

    /// Lines up to and including the start marker's line.
    public var head: [Substring]
    /// The evolvable lines between the markers.
    public var body: [Substring]
    /// Lines from the end marker's line on.
    public var tail: [Substring]

    /// - Throws: `EvolveError.evolveBlock` unless the source holds exactly one start marker
    ///   followed by exactly one end marker.
    /// - Complexity: O(source length).
    public init(source: String) throws {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let starts = lines.indices.filter { lines[$0].contains(Self.startMarker) }
        let ends = lines.indices.filter { lines[$0].contains(Self.endMarker) }
        guard starts.count == 1, ends.count == 1 else {
            throw EvolveError.evolveBlock("expected one start and one end marker, found \(starts.count) and \(ends.count)")
        }
        guard starts[0] < ends[0] else { throw EvolveError.evolveBlock("the end marker comes before the start marker") }
        head = Array(lines[...starts[0]])
        body = Array(lines[(starts[0] + 1) ..< ends[0]])
        tail = Array(lines[ends[0]...])
    }

    /// The whole source again.
    public var source: String { (head + body + tail).joined(separator: "\n") }
}
