import Dispatch
import Foundation

/// Measures decoding and analysis of tiles: every stage and step on one thread, and the whole
/// pipeline on `jobs` threads (tiles shared out to the batch runner's kind of worker threads,
/// `BatchRunner.onWorkers`), with CPU time beside wall time.
public enum PipelineBenchmark {
    public struct StageFigure: Sendable, Codable {
        public var stage: String
        /// Total wall seconds over all tiles.
        public var seconds: Double
        /// Megapixels (of the tiles as stored) per second of this stage.
        public var megapixelsPerSecond: Double
    }

    /// One timed pass over every tile.
    public struct Report: Sendable, Codable {
        public var threads: Int
        public var tiles: Int
        public var megapixels: Double
        public var cells: Int
        /// Per stage, summed over tiles (with several threads: summed over threads too).
        public var stages: [StageFigure]
        /// The steps inside the stages (`nuclei.blur`, `cells.watershed`, …), in order (one
        /// thread only: empty otherwise).
        public var steps: [StageFigure]
        /// Decode + analysis, wall seconds and MP/s.
        public var wallSeconds: Double
        public var megapixelsPerSecond: Double
        /// Analysis only (every stage after decoding): its seconds summed over tiles, and MP/s
        /// per thread.
        public var analysisSeconds: Double
        public var analysisMegapixelsPerSecond: Double
        public var cellsPerSecond: Double
        /// CPU seconds (user + system) of the whole process during the pass.
        public var cpuSeconds: Double
        /// Peak resident set of the process at the end of the pass: since the process started or
        /// since the caller's last `ProcessMetrics.resetPeakResident()` (it never decreases in
        /// between).
        public var peakResidentBytes: Int
    }

    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var results: [(stages: [(String, Double)], steps: [(String, Double)], decode: Double, megapixels: Double, cells: Int)?]
        var failure: Error?
        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    /// Decodes and analyses each tile once, on `jobs` threads (1: in order, on this thread,
    /// with per-step laps).
    public static func run(tiles: [String], pixelSize: PixelSize?, parameters: AnalysisParameters, jobs: Int = 1,
                           reader: ImageReader = ImageReader()) throws -> Report {
        let shared = Shared(count: tiles.count)
        let withSteps = jobs == 1
        let cpu0 = ProcessMetrics.now().cpuSeconds
        let wall0 = ProcessMetrics.monotonicSeconds()
        let work: @Sendable (Int) -> Void = { _ in
            while true {
                shared.lock.lock()
                let index = shared.next
                shared.next += 1
                let stop = shared.failure != nil
                shared.lock.unlock()
                if stop || index >= tiles.count { return }
                do {
                    let path = tiles[index]
                    let t0 = ProcessMetrics.monotonicSeconds()
                    let image = try reader.read(path)
                    let decode = ProcessMetrics.monotonicSeconds() - t0
                    guard let size = image.pixelSize ?? pixelSize else {
                        throw ImageIOError(.invalidRequest, path: path, message: "pixel size unknown: give --mpp")
                    }
                    let clock = withSteps ? StageClock() : nil
                    let analysis = TileAnalyzer.analyze(image, name: path, pixelSize: size, stains: parameters.stains,
                                                        parameters: parameters, clock: clock)
                    let result = (analysis.stageSeconds.map { ($0.stage, $0.seconds) }, clock?.laps.map { ($0.name, $0.seconds) } ?? [],
                                  decode, Double(image.pixelCount) / 1e6, analysis.cells.count)
                    shared.lock.lock()
                    shared.results[index] = result
                    shared.lock.unlock()
                } catch {
                    shared.lock.lock()
                    shared.failure = shared.failure ?? error
                    shared.lock.unlock()
                }
            }
        }
        if jobs <= 1 { work(0) } else { BatchRunner.onWorkers(jobs, work) }
        if let failure = shared.failure { throw failure }
        let wall = ProcessMetrics.monotonicSeconds() - wall0
        let after = ProcessMetrics.now()
        var totals: [String: Double] = [:], order = ["decode"]
        var stepTotals: [String: Double] = [:], stepOrder: [String] = []
        var megapixels = 0.0, cells = 0
        for case let r? in shared.results {
            totals["decode", default: 0] += r.decode
            for (stage, seconds) in r.stages {
                if totals[stage] == nil { order.append(stage) }
                totals[stage, default: 0] += seconds
            }
            for (step, seconds) in r.steps {
                if stepTotals[step] == nil { stepOrder.append(step) }
                stepTotals[step, default: 0] += seconds
            }
            megapixels += r.megapixels
            cells += r.cells
        }
        func figure(_ name: String, _ seconds: Double) -> StageFigure {
            StageFigure(stage: name, seconds: seconds, megapixelsPerSecond: megapixels / max(1e-9, seconds))
        }
        let analysis = order.dropFirst().map { totals[$0] ?? 0 }.reduce(0, +)
        return Report(
            threads: max(1, jobs), tiles: tiles.count, megapixels: megapixels, cells: cells,
            stages: order.map { figure($0, totals[$0] ?? 0) }, steps: stepOrder.map { figure($0, stepTotals[$0] ?? 0) },
            wallSeconds: wall, megapixelsPerSecond: megapixels / max(1e-9, wall),
            analysisSeconds: analysis, analysisMegapixelsPerSecond: megapixels / max(1e-9, analysis),
            cellsPerSecond: Double(cells) / max(1e-9, wall), cpuSeconds: after.cpuSeconds - cpu0,
            peakResidentBytes: after.peakResidentBytes)
    }

    /// The pass with the median end-to-end wall time.
    public static func median(_ reports: [Report]) -> Report {
        precondition(!reports.isEmpty)
        return reports.sorted { $0.wallSeconds < $1.wallSeconds }[(reports.count - 1) / 2]
    }
}
