/// Measures the analysis pipeline tile by tile: decoding and every stage, one thread.
public enum PipelineBenchmark {
    public struct StageFigure: Sendable, Codable {
        public var stage: String
        /// Total wall seconds over all tiles.
        public var seconds: Double
        /// Megapixels (of the tiles as stored) per second of this stage.
        public var megapixelsPerSecond: Double
    }

    public struct Report: Sendable, Codable {
        public var tiles: Int
        public var megapixels: Double
        public var cells: Int
        public var stages: [StageFigure]
        /// The steps inside the stages (`nuclei.blur`, `cells.watershed`, …), in order.
        public var steps: [StageFigure]
        /// Decode + analysis, wall seconds and MP/s.
        public var wallSeconds: Double
        public var megapixelsPerSecond: Double
        /// Analysis only (every stage after decoding).
        public var analysisSeconds: Double
        public var analysisMegapixelsPerSecond: Double
        public var cellsPerSecond: Double
        public var cpuSeconds: Double
        public var peakResidentBytes: Int
    }

    /// Decodes and analyses each tile in order.
    public static func run(tiles: [String], pixelSize: PixelSize?, parameters: AnalysisParameters,
                           reader: ImageReader = ImageReader()) throws -> Report {
        var totals: [String: Double] = [:]
        var order: [String] = ["decode"]
        var megapixels = 0.0, cells = 0
        var stepTotals: [String: Double] = [:], stepOrder: [String] = []
        let cpu0 = ProcessMetrics.now().cpuSeconds
        let wall0 = ProcessMetrics.monotonicSeconds()
        for path in tiles {
            let t0 = ProcessMetrics.monotonicSeconds()
            let image = try reader.read(path)
            totals["decode", default: 0] += ProcessMetrics.monotonicSeconds() - t0
            guard let size = image.pixelSize ?? pixelSize else {
                throw ImageIOError(.invalidRequest, path: path, message: "pixel size unknown: give --mpp")
            }
            let clock = StageClock()
            let analysis = TileAnalyzer.analyze(image, name: path, pixelSize: size, stains: parameters.stains,
                                                parameters: parameters, clock: clock)
            for (step, seconds) in clock.laps {
                if stepTotals[step] == nil { stepOrder.append(step) }
                stepTotals[step, default: 0] += seconds
            }
            for (stage, seconds) in analysis.stageSeconds {
                if totals[stage] == nil { order.append(stage) }
                totals[stage, default: 0] += seconds
            }
            megapixels += Double(image.pixelCount) / 1e6
            cells += analysis.cells.count
        }
        let wall = ProcessMetrics.monotonicSeconds() - wall0
        let after = ProcessMetrics.now()
        let analysis = order.dropFirst().map { totals[$0] ?? 0 }.reduce(0, +)
        return Report(
            tiles: tiles.count, megapixels: megapixels, cells: cells,
            stages: order.map { StageFigure(stage: $0, seconds: totals[$0] ?? 0,
                                            megapixelsPerSecond: megapixels / max(1e-9, totals[$0] ?? 0)) },
            steps: stepOrder.map { StageFigure(stage: $0, seconds: stepTotals[$0] ?? 0,
                                               megapixelsPerSecond: megapixels / max(1e-9, stepTotals[$0] ?? 0)) },
            wallSeconds: wall, megapixelsPerSecond: megapixels / max(1e-9, wall),
            analysisSeconds: analysis, analysisMegapixelsPerSecond: megapixels / max(1e-9, analysis),
            cellsPerSecond: Double(cells) / max(1e-9, wall), cpuSeconds: after.cpuSeconds - cpu0,
            peakResidentBytes: after.peakResidentBytes)
    }
}
