/// Wall-clock laps of the stages and sub-stages of one tile's analysis, for `ihc-score bench`.
///
/// A stage marks the end of each of its steps with `lap("nuclei.blur")`; a step's time is the
/// time since the previous lap of the same clock. The pipeline passes no clock (nil) unless a
/// benchmark asks for one, so the hot path pays one nil check per step. One clock is used
/// by one thread at a time.
public final class StageClock {
    /// Laps in the order they were taken: (name, seconds).
    public private(set) var laps: [(name: String, seconds: Double)] = []
    private var last: Double

    public init() { last = ProcessMetrics.monotonicSeconds() }

    /// Restarts the current lap without recording it (time spent outside the stages).
    public func restart() { last = ProcessMetrics.monotonicSeconds() }

    /// Ends the current lap under `name`.
    public func lap(_ name: String) {
        let now = ProcessMetrics.monotonicSeconds()
        laps.append((name, now - last))
        last = now
    }
}

extension Optional where Wrapped == StageClock {
    /// Ends the current lap when there is a clock.
    @inline(__always)
    func lap(_ name: String) { if let clock = self { clock.lap(name) } }
}
