import ArgumentParser
import Foundation
import StainScore

/// `ihc-score bench score [INPUTS…]`: what `score` costs, stage by stage, with `score`'s own
/// batch runner, writers and hashing, on one worker and on --jobs workers.
struct BenchScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Per-stage cost of `score` with its default outputs (decode, analysis, outlines, each writer, hashing): CPU and wall time, MP/s, cells/s, peak memory; 1 job and --jobs.",
        discussion: """
            Build with `swift build -c release` first. INPUTS are found as `score` finds them (folders \
            of slides, folders of tiles, files). Without INPUTS, virtual tiles are generated (`--tiles`, \
            `--size`, `--generate-mpp`, `--format`, `--seed`; 1024² JPEG at 0.5 µm/px by default) into \
            --work-dir (reused when it already holds the same ones) or a temporary folder. Each pass \
            scores every slide into a results folder (--out, default a temporary one) with cells.csv, \
            tiles.csv, slides.csv, report.json, report.html and GeoJSON, as `score` does by default. \
            Stage times are taken on the thread that runs the stage (CPU time of that thread, and \
            wall time); the totals are the process's. Each measurement is the pass with the median \
            CPU time of --repeats passes, after one warm-up pass.
            """)

    @Argument(help: "Image files, folders of tiles, or folders of slide folders. None: generate virtual tiles.")
    var inputs: [String] = []

    @OptionGroup var bench: BenchOptions

    @Option(help: "Generated tiles (without INPUTS), 4 per slide.")
    var tiles = 60



    @Option(help: "Format of generated tiles: png, jpeg or tiff.")
    var format: SynthesisFormat = .jpeg



    @Option(help: "Results folder of the passes (rewritten by each); default: a temporary folder, removed afterwards.")
    var out: String?






    func validate() throws {
        guard tiles >= 1 else { throw ValidationError("--tiles must be ≥ 1") }
    }

    struct Results: Codable {
        var toolVersion: String
        var cpuTarget: String?
        var loadBefore: [Double]?
        var loadAfter: [Double]?
        var oneJob: ScoreBenchmark.Report
        var parallel: ScoreBenchmark.Report?
        /// End-to-end MP per CPU second of `score` ÷ that of decoding plus analysis alone, one job.
        var scoreToAnalysis: Double
    }

    func run() throws {
        var temporaries: [String] = []
        defer { for t in temporaries { try? FileManager.default.removeItem(atPath: t) } }
        var inputs = self.inputs
        if inputs.isEmpty {
            let folder = bench.workDir ?? NSTemporaryDirectory() + "/ihc-score-bench-" + UUID().uuidString
            if bench.workDir == nil { temporaries.append(folder) }
            _ = try BenchPipeline.generated(in: folder, tiles: tiles, size: bench.size, mpp: bench.generateMpp, format: format, seed: bench.seed)
            inputs = [folder]
        }
        let outFolder = out ?? NSTemporaryDirectory() + "/ihc-score-bench-out-" + UUID().uuidString
        if out == nil { temporaries.append(outFolder) }
        let pixelSize = bench.mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
        let found = try SlideDiscovery.slides(from: inputs, pixelSize: pixelSize, excluding: [outFolder])
        guard !found.slides.isEmpty else { throw ValidationError("no slides found") }
        var parameters = AnalysisParameters()
        if let config = bench.config { parameters = try ConfigurationFile.load(config) }
        let load0 = ProcessMetrics.loadAverage()
        func passes(_ jobs: Int) throws -> ScoreBenchmark.Report {
            var reports: [ScoreBenchmark.Report] = []
            for _ in 0..<bench.repeats {
                reports.append(try ScoreBenchmark.run(slides: found.slides, parameters: parameters, jobs: jobs, outputDirectory: outFolder,
                                                      invocation: CommandLine.arguments))
            }
            return reports.sorted { $0.cpuSeconds < $1.cpuSeconds }[(reports.count - 1) / 2]
        }
        _ = try ScoreBenchmark.run(slides: found.slides, parameters: parameters, jobs: 1, outputDirectory: outFolder,
                                   invocation: CommandLine.arguments)  // warm-up
        let one = try passes(1)
        let parallel = bench.jobs > 1 ? try passes(bench.jobs) : nil
        let load1 = ProcessMetrics.loadAverage()
        print("score benchmark: \(one.slides) slides, \(one.tiles) tiles, \(String(format: "%.1f", one.megapixels)) MP, \(one.cells) cells; ihc-score \(StainScoreVersion.version), \(StainScoreBuild.summary)")
        print("pass with the median CPU time of \(bench.repeats) after a warm-up; load average before: \(BenchPipeline.load(load0))   after: \(BenchPipeline.load(load1))")
        for r in [one] + (parallel.map { [$0] } ?? []) {
            var rows = [["STAGE (\(r.jobs) job\(r.jobs == 1 ? "" : "s"))", "CPU s", "WALL s", "COUNT", "MP/CPU-s", "CELLS/CPU-s", "SHARE"]]
            for s in r.stages {
                rows.append([s.stage, String(format: "%.3f", s.cpuSeconds), String(format: "%.3f", s.wallSeconds), "\(s.count)",
                             String(format: "%.1f", r.megapixels / max(1e-9, s.cpuSeconds)),
                             String(format: "%.0f", Double(r.cells) / max(1e-9, s.cpuSeconds)),
                             s.stage.hasPrefix("analysis.") ? "" : String(format: "%.1f%%", 100 * s.cpuSeconds / max(1e-9, r.cpuSeconds))])
            }
            print(Output.table(rows))
        }
        var summary = [["JOBS", "WALL s", "CPU s", "CPU/WALL", "MP/CPU-s", "MP/s", "CELLS/s", "DECODE+ANALYSIS MP/CPU-s", "PEAK RSS MB"]]
        for r in [one] + (parallel.map { [$0] } ?? []) {
            summary.append(["\(r.jobs)", String(format: "%.2f", r.wallSeconds), String(format: "%.2f", r.cpuSeconds),
                            String(format: "%.2f", r.cpuSeconds / max(1e-9, r.wallSeconds)),
                            String(format: "%.1f", r.megapixelsPerCPUSecond), String(format: "%.1f", r.megapixelsPerSecond),
                            String(format: "%.0f", Double(r.cells) / max(1e-9, r.wallSeconds)),
                            String(format: "%.1f", r.megapixels / max(1e-9, r.decodeAndAnalysisCPUSeconds)),
                            String(format: "%.0f", Double(r.peakResidentBytes) / 1e6)])
        }
        print(Output.table(summary))
        let ratio = one.megapixelsPerCPUSecond / max(1e-9, one.megapixels / max(1e-9, one.decodeAndAnalysisCPUSeconds))
        print(String(format: "score ÷ (decode + analysis), 1 job, MP per CPU second: %.2f", ratio))
        if let parallel {
            print(String(format: "%d jobs ÷ 1 job: %.2f× wall (end to end), CPU efficiency %.2f (1-job CPU s ÷ %d-job CPU s)",
                         parallel.jobs, one.wallSeconds / max(1e-9, parallel.wallSeconds), one.cpuSeconds / max(1e-9, parallel.cpuSeconds),
                         parallel.jobs))
        }
        if let json = bench.json {
            let results = Results(toolVersion: StainScoreVersion.version, cpuTarget: StainScoreBuild.cpuTarget,
                                  loadBefore: load0.map { [$0.0, $0.1, $0.2] }, loadAfter: load1.map { [$0.0, $0.1, $0.2] },
                                  oneJob: one, parallel: parallel, scoreToAnalysis: ratio)
            do { try AtomicFile.write(try Output.json(results) + "\n", to: json) } catch {
                Output.error("\(error)")
                throw ExitCodes.cannotWriteOutput
            }
        }
    }
}
