import Foundation
import SimCore
import Testing

/// `windowedMap`: results in index order whatever order calls end in, never more than `width`
/// calls at once, and the lowest failed index's error after the started calls end.
@Suite struct WindowedMapTests {
    final class Gauge: @unchecked Sendable {
        let lock = NSLock()
        var now = 0, most = 0, calls = 0
        func enter() { lock.lock(); now += 1; calls += 1; most = max(most, now); lock.unlock() }
        func leave() { lock.lock(); now -= 1; lock.unlock() }
    }

    struct Failed: Error, Equatable { var index: Int }

    @Test(arguments: [1, 2, 3, 8])
    func resultsComeInIndexOrderWithinTheWindow(width: Int) throws {
        let gauge = Gauge()
        let results = try windowedMap(10, width: width) { i -> Int in
            gauge.enter()
            defer { gauge.leave() }
            // Later indices end first.
            usleep(useconds_t((10 - i) * 2_000))
            return i * i
        }
        #expect(results == (0..<10).map { $0 * $0 })
        #expect(gauge.most <= width && gauge.calls == 10)
    }

    @Test func theLowestFailedIndexIsRethrownAndNoLaterIndexStarts() {
        let gauge = Gauge()
        #expect(throws: Failed(index: 1)) {
            _ = try windowedMap(50, width: 2) { i -> Int in
                gauge.enter()
                defer { gauge.leave() }
                if i == 3 { throw Failed(index: 3) }
                if i == 1 { usleep(20_000); throw Failed(index: 1) }
                return i
            }
        }
        #expect(gauge.calls < 50)
    }
}
