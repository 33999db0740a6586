/// Measures what `ihc-score score` does, with the same code: slides found as `score` finds
/// them, scored by the `BatchRunner` on its worker threads, the default outputs written by
/// `BatchOutput` and `TileFiles` (cells.csv, tiles.csv, slides.csv, report.json, report.html,
/// GeoJSON; no overlays) into a results folder, every input file hashed. A `BatchMeter` times
/// each stage on the thread that runs it: hashing, decoding, analysis (and its stages), outlines,
/// each writer.
public enum ScoreBenchmark {
    /// One timed `score` pass.
    public struct Report: Sendable, Codable {
        public var jobs: Int
        public var slides: Int
        public var tiles: Int
        public var megapixels: Double
        public var cells: Int
        /// Per stage: CPU and wall seconds summed over the threads that ran it. `analysis.<stage>`
        /// are parts of `analysis`: their wall time, and the tile's analysis CPU time shared out
        /// in proportion to it.
        public var stages: [BatchMeter.Figure]
        /// The whole pass: wall seconds, and CPU seconds of the process (user + system).
        public var wallSeconds: Double
        public var cpuSeconds: Double
        /// Peak resident set during the pass (when the system lets the peak be reset; else since
        /// the process started).
        public var peakResidentBytes: Int

        /// Megapixels per CPU second, end to end.
        public var megapixelsPerCPUSecond: Double { megapixels / max(1e-9, cpuSeconds) }
        /// Megapixels per wall second, end to end.
        public var megapixelsPerSecond: Double { megapixels / max(1e-9, wallSeconds) }
        /// CPU seconds of decoding plus analysis (the figure `bench pipeline` measures).
        public var decodeAndAnalysisCPUSeconds: Double {
            stages.filter { $0.stage == "decode" || $0.stage == "analysis" }.map(\.cpuSeconds).reduce(0, +)
        }
    }

    /// Scores `slides` into `outputDirectory` (created; earlier results there are replaced) on
    /// `jobs` workers and reports the time of every stage.
    public static func run(slides: [SlideInput], parameters: AnalysisParameters, jobs: Int, outputDirectory: String,
                           invocation: [String]) throws -> Report {
        MemoryPolicy.releaseFreedBlocks()
        _ = ProcessMetrics.resetPeakResident()
        let meter = BatchMeter()
        let cpu0 = ProcessMetrics.now().cpuSeconds
        let wall0 = ProcessMetrics.monotonicSeconds()
        let header = ReportJSON.Header(
            invocation: invocation, inputs: [], manifest: nil, parameters: parameters,
            options: .init(jobs: jobs, resume: false, geojson: true, overlays: false, layout: nil, mpp: nil, overrideMpp: false,
                           config: nil))
        let output = try BatchOutput(directory: outputDirectory, header: header, geojson: true, overlays: false)
        output.meter = meter
        var runner = BatchRunner(analyzer: SlideAnalyzer(parameters: parameters), jobs: jobs)
        runner.meter = meter
        var files = TileFiles(outputDirectory: outputDirectory, geojson: true, overlays: false)
        files.meter = meter
        let totals = try runner.run(slides, sink: output, writer: files)
        try meter.measure("finish") { try output.finish(totals) }
        let after = ProcessMetrics.now()
        return Report(jobs: jobs, slides: totals.slides, tiles: totals.tiles, megapixels: totals.megapixelsAnalysed, cells: totals.cells,
                      stages: meter.stages, wallSeconds: ProcessMetrics.monotonicSeconds() - wall0,
                      cpuSeconds: after.cpuSeconds - cpu0, peakResidentBytes: after.peakResidentBytes)
    }
}
