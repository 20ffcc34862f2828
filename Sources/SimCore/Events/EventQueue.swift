import HeapModule

/// The clock and pending events of a discrete-event simulation; knows nothing of any domain.
///
/// Events pop in time order, and events at the same time in the order they were scheduled, so a
/// simulation driven by it is deterministic.
public struct EventQueue<Event> {
    struct Entry: Comparable {
        var time: Double
        var sequence: Int
        var event: Event

        static func < (a: Entry, b: Entry) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    private var scheduled = 0
    /// The time of the event popped last.
    public private(set) var now = 0.0

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }

    /// Schedules `event` `delay` after now.
    /// - Complexity: O(log n).
    public mutating func schedule(_ event: Event, after delay: Double) {
        precondition(delay >= 0 && delay.isFinite, "events cannot be scheduled in the past")
        heap.insert(Entry(time: now + delay, sequence: scheduled, event: event))
        scheduled += 1
    }

    /// Advances the clock to the next event and returns it.
    /// - Complexity: O(log n).
    public mutating func next() -> Event? {
        guard let entry = heap.popMin() else { return nil }
        now = entry.time
        return entry.event
    }
}
