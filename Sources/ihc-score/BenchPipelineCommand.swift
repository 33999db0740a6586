import ArgumentParser
import Foundation
import StainScore

/// `ihc-score bench pipeline TILES…`: per-stage throughput of the analysis, one thread.
struct BenchPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Per-stage throughput of decoding and analysis (MP/s, cells/s, CPU and wall time, peak memory), one thread.",
        discussion: "Build with `swift build -c release` first. Virtual tiles: `ihc-score synth DIR --slides 13 --seed 9` gives 52 tiles.")

    @Argument(help: "Tile files or folders (searched recursively).")
    var inputs: [String]

    @Option(help: "Pixel size in µm/px for files that carry none.")
    var mpp: Double?

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    func run() throws {
        let tiles = InputDiscovery.imageFiles(in: inputs)
        guard !tiles.isEmpty else { throw ValidationError("no image tiles found") }
        let load0 = ProcessMetrics.loadAverage()
        let report = try PipelineBenchmark.run(tiles: tiles, pixelSize: mpp.map { PixelSize(micronsPerPixel: $0, source: .user) },
                                               parameters: AnalysisParameters())
        let load1 = ProcessMetrics.loadAverage()
        func load(_ l: (Double, Double, Double)?) -> String { l.map { String(format: "%.2f %.2f %.2f", $0.0, $0.1, $0.2) } ?? "n/a" }
        print("pipeline benchmark: \(report.tiles) tiles, \(String(format: "%.1f", report.megapixels)) MP, \(report.cells) cells, 1 thread, ihc-score \(StainScoreVersion.version)")
        print("load average before: \(load(load0))   after: \(load(load1))")
        var rows = [["STAGE", "SECONDS", "MP/s", "SHARE"]]
        let total = report.stages.map(\.seconds).reduce(0, +)
        for s in report.stages {
            rows.append([s.stage, String(format: "%.3f", s.seconds), String(format: "%.1f", s.megapixelsPerSecond),
                         String(format: "%.0f%%", 100 * s.seconds / max(1e-9, total))])
        }
        print(Output.table(rows))
        var stepRows = [["STEP", "SECONDS", "MP/s"]]
        for s in report.steps {
            stepRows.append([s.stage, String(format: "%.3f", s.seconds), String(format: "%.1f", s.megapixelsPerSecond)])
        }
        print(Output.table(stepRows))
        print(String(format: "end to end: %.2f s wall, %.2f s CPU (CPU/wall %.2f), %.1f MP/s, %.0f cells/s; analysis only %.1f MP/s; peak RSS %.0f MB",
                     report.wallSeconds, report.cpuSeconds, report.cpuSeconds / max(1e-9, report.wallSeconds),
                     report.megapixelsPerSecond, report.cellsPerSecond, report.analysisMegapixelsPerSecond,
                     Double(report.peakResidentBytes) / 1e6))
        if let json {
            do { try AtomicFile.write(try Output.json(report) + "\n", to: json) } catch {
                Output.error("\(error)")
                throw ExitCodes.cannotWriteOutput
            }
        }
    }
}
