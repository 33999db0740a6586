#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// CPU and wall time per stage of a batch, for `ihc-score bench score`: the batch runner, its
/// tile writer and its sink each time their own steps (hashing, decoding, analysis, outlines,
/// every output file) with the calling thread's CPU clock, so the figures add up whatever the
/// number of workers. Without a meter (the default) nothing is timed.
public final class BatchMeter: Sendable {
    /// One stage's totals over the batch.
    public struct Figure: Sendable, Codable {
        public var stage: String
        public var cpuSeconds: Double
        public var wallSeconds: Double
        /// How many times the stage ran (tiles, slides, files…).
        public var count: Int
    }

    private let figures = Mutex<[String: Figure]>([:])
    private let order = Mutex<[String]>([])

    public init() {}

    /// CPU seconds of the calling thread.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// A started measurement of the calling thread; `stop` it on the same thread.
    public struct Lap: Sendable {
        let cpu: Double
        let wall: Double

        public init() {
            cpu = BatchMeter.threadCPUSeconds()
            wall = ProcessMetrics.monotonicSeconds()
        }

        /// Seconds since `init`: (CPU of this thread, wall).
        public func elapsed() -> (cpu: Double, wall: Double) {
            (BatchMeter.threadCPUSeconds() - cpu, ProcessMetrics.monotonicSeconds() - wall)
        }
    }

    /// Adds a measurement to `stage`.
    public func add(_ stage: String, cpu: Double, wall: Double, count: Int = 1) {
        let isNew = figures.withLock { figures -> Bool in
            if figures[stage] == nil {
                figures[stage] = Figure(stage: stage, cpuSeconds: cpu, wallSeconds: wall, count: count)
                return true
            }
            figures[stage]!.cpuSeconds += cpu
            figures[stage]!.wallSeconds += wall
            figures[stage]!.count += count
            return false
        }
        if isNew { order.withLock { $0.append(stage) } }
    }

    /// Adds the time since `lap` to `stage`.
    public func add(_ stage: String, since lap: Lap) {
        let e = lap.elapsed()
        add(stage, cpu: e.cpu, wall: e.wall)
    }

    /// Runs `body`, adding its time to `stage`.
    @discardableResult
    public func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let lap = Lap()
        defer { add(stage, since: lap) }
        return try body()
    }

    /// The stages in the order they were first measured.
    public var stages: [Figure] {
        let names = order.withLock { $0 }
        return figures.withLock { f in names.compactMap { f[$0] } }
    }
}

extension Optional where Wrapped == BatchMeter {
    /// Runs `body`, timing it under `stage` when there is a meter.
    @inline(__always)
    @discardableResult
    func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        guard let meter = self else { return try body() }
        return try meter.measure(stage, body)
    }
}
