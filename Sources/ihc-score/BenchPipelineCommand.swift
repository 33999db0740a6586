import ArgumentParser
import Foundation
import StainScore

/// `ihc-score bench pipeline [TILES…]`: throughput of decoding and of every analysis stage,
/// on one thread and on several, on the user's tiles or on generated virtual tiles.
struct BenchPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Per-stage throughput of decoding and analysis (MP/s, cells/s, CPU and wall time, peak memory), 1 thread and --jobs threads.",
        discussion: """
            Build with `swift build -c release` first. Without TILES, virtual tiles are generated \
            (`--tiles`, `--size`, `--mpp`, `--format`, `--seed`) into --work-dir (reused when it already \
            holds the same ones) or a temporary folder. Each measurement is the median of --repeats \
            passes over all tiles, after one warm-up pass. A pass with several threads hands tiles to \
            the workers one at a time. The load average is printed before and after: a busy machine \
            shows there, and CPU time beside wall time shows how much of the machine the run had.
            """)

    @Argument(help: "Tile files or folders (searched recursively). None: generate virtual tiles.")
    var inputs: [String] = []

    @OptionGroup var bench: BenchOptions

    @Option(help: "Generated tiles (without TILES).")
    var tiles = 52



    @Option(help: "Format of generated tiles: png, jpeg or tiff.")
    var format: SynthesisFormat = .png





    @Option(help: "Analysis pixel size (µm/px); finer tiles are reduced first. 0 = full resolution. Default: the configuration's, else 0.25.")
    var analysisMpp: Double?




    func validate() throws {
        guard tiles >= 1 else { throw ValidationError("--tiles must be ≥ 1") }
    }

    struct Results: Codable {
        var toolVersion: String
        /// The CPU level the binary was compiled for (`StainScoreBuild.cpuTarget`).
        var cpuTarget: String?
        var tiles: [String]
        var loadBefore: [Double]?
        var loadAfter: [Double]?
        var oneThread: PipelineBenchmark.Report
        var parallel: PipelineBenchmark.Report?
        var speedup: Double?
        /// Analysis MP/s ÷ decode MP/s on one thread, both from the same passes: how fast the
        /// analysis is against a fixed piece of C code (the tiles' own decoding), a figure that
        /// moves far less than either speed when the host is busy, so builds measured at
        /// different times can be compared by it.
        var analysisToDecode: Double?
        var memoryBudgetBytes: Int
        /// Whether the peaks cover the benchmark's passes only (the peak was reset after the
        /// tiles were found or generated, `ProcessMetrics.resetPeakResident`) rather than the
        /// whole process.
        var peakResidentIsBenchmarkOnly: Bool
    }

    func run() throws {
        var temporary: String?
        for input in inputs where !FileManager.default.fileExists(atPath: input) {
            throw ValidationError("\(input): no such file or folder")
        }
        var paths = InputDiscovery.imageFiles(in: inputs)
        if inputs.isEmpty {
            let folder = bench.workDir ?? NSTemporaryDirectory() + "/ihc-score-bench-" + UUID().uuidString
            if bench.workDir == nil { temporary = folder }
            paths = try Self.generated(in: folder, tiles: tiles, size: bench.size, mpp: bench.generateMpp, format: format, seed: bench.seed)
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        guard !paths.isEmpty else { throw ValidationError("no image tiles found") }
        var parameters = AnalysisParameters()
        if let config = bench.config { parameters = try ConfigurationFile.load(config) }
        if let analysisMpp { parameters.analysisMicronsPerPixel = analysisMpp }
        let pixelSize = bench.mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
        // The peak resident set from here on: the benchmark's own, not the generator's (whose
        // freed slides the heap would otherwise keep resident).
        MemoryPolicy.releaseFreedBlocks()
        let peakReset = ProcessMetrics.resetPeakResident()
        let load0 = ProcessMetrics.loadAverage()
        func passes(_ threads: Int) throws -> PipelineBenchmark.Report {
            var reports: [PipelineBenchmark.Report] = []
            for _ in 0..<bench.repeats {
                reports.append(try PipelineBenchmark.run(tiles: paths, pixelSize: pixelSize, parameters: parameters, jobs: threads))
            }
            return PipelineBenchmark.median(reports)
        }
        _ = try PipelineBenchmark.run(tiles: paths, pixelSize: pixelSize, parameters: parameters, jobs: 1)  // warm-up
        let one = try passes(1)
        let parallel = bench.jobs > 1 ? try passes(bench.jobs) : nil
        let load1 = ProcessMetrics.loadAverage()
        // The issue's memory budget: 100 MB + 40 bytes per pixel of the tiles in flight (one per thread).
        let largestTile = Int((one.megapixels / Double(max(1, one.tiles))) * 1e6)
        let budget = 100_000_000 + 40 * largestTile * max(1, parallel?.threads ?? 1)
        print("pipeline benchmark: \(one.tiles) tiles, \(String(format: "%.1f", one.megapixels)) MP, \(one.cells) cells, analysis at \(parameters.analysisMicronsPerPixel) µm/px\(bench.config.map { ", configuration \($0)" } ?? ""), ihc-score \(StainScoreVersion.version), \(StainScoreBuild.summary)")
        print("median of \(bench.repeats) passes after a warm-up; load average before: \(Self.load(load0))   after: \(Self.load(load1))")
        var rows = [["STAGE (1 thread)", "SECONDS", "MP/s", "SHARE"]]
        let total = one.stages.map(\.seconds).reduce(0, +)
        for s in one.stages {
            rows.append([s.stage, String(format: "%.3f", s.seconds), String(format: "%.1f", s.megapixelsPerSecond),
                         String(format: "%.0f%%", 100 * s.seconds / max(1e-9, total))])
        }
        print(Output.table(rows))
        var stepRows = [["STEP (1 thread)", "SECONDS", "MP/s"]]
        for s in one.steps {
            stepRows.append([s.stage, String(format: "%.3f", s.seconds), String(format: "%.1f", s.megapixelsPerSecond)])
        }
        print(Output.table(stepRows))
        var summary = [["THREADS", "WALL s", "CPU s", "CPU/WALL", "END-TO-END MP/s", "ANALYSIS MP/s", "CELLS/s", "PEAK RSS MB"]]
        for r in [one] + (parallel.map { [$0] } ?? []) {
            summary.append(["\(r.threads)", String(format: "%.2f", r.wallSeconds), String(format: "%.2f", r.cpuSeconds),
                            String(format: "%.2f", r.cpuSeconds / max(1e-9, r.wallSeconds)),
                            String(format: "%.1f", r.megapixelsPerSecond),
                            String(format: "%.1f", r.analysisMegapixelsPerSecond),
                            String(format: "%.0f", r.cellsPerSecond), String(format: "%.0f", Double(r.peakResidentBytes) / 1e6)])
        }
        print(Output.table(summary))
        let speedup = parallel.map { $0.megapixelsPerSecond / max(1e-9, one.megapixelsPerSecond) }
        if let speedup, let parallel {
            print(String(format: "speed-up with %d threads: %.2f× (end to end)", parallel.threads, speedup))
        }
        let decode = one.stages.first { $0.stage == "decode" }
        let analysisToDecode = decode.map { one.analysisMegapixelsPerSecond / max(1e-9, $0.megapixelsPerSecond) }
        if let analysisToDecode, let decode {
            print(String(format: "analysis ÷ decode, 1 thread: %.3f (%.1f ÷ %.1f MP/s; a ratio from the same passes, steadier than either speed on a busy host)",
                         analysisToDecode, one.analysisMegapixelsPerSecond, decode.megapixelsPerSecond))
        }
        let peak = max(one.peakResidentBytes, parallel?.peakResidentBytes ?? 0)
        print(String(format: "peak RSS %.0f MB; budget 100 MB + 40 B × %d tile(s) in flight = %.0f MB", Double(peak) / 1e6,
                     parallel?.threads ?? 1, Double(budget) / 1e6)
              + (peakReset ? "" : inputs.isEmpty ? " (the peak includes generating the tiles: this system cannot reset it)" : ""))
        if let json = bench.json {
            let results = Results(toolVersion: StainScoreVersion.version, cpuTarget: StainScoreBuild.cpuTarget, tiles: paths, loadBefore: load0.map { [$0.0, $0.1, $0.2] },
                                  loadAfter: load1.map { [$0.0, $0.1, $0.2] }, oneThread: one, parallel: parallel, speedup: speedup,
                                  analysisToDecode: analysisToDecode, memoryBudgetBytes: budget,
                                  peakResidentIsBenchmarkOnly: peakReset)
            do { try AtomicFile.write(try Output.json(results) + "\n", to: json) } catch {
                Output.error("\(error)")
                throw ExitCodes.cannotWriteOutput
            }
        }
    }

    static func load(_ l: (Double, Double, Double)?) -> String {
        l.map { String(format: "%.2f %.2f %.2f", $0.0, $0.1, $0.2) } ?? "n/a"
    }

    /// Virtual tiles in `folder`, generated by the synthesiser unless the folder already holds
    /// the same ones (its synth.json records the configuration).
    static func generated(in folder: String, tiles: Int, size: Int, mpp: Double, format: SynthesisFormat,
                          seed: UInt64) throws -> [String] {
        var configuration = SynthesisConfiguration()
        configuration.seed = seed
        configuration.tileSize = size
        configuration.micronsPerPixel = mpp
        configuration.format = format
        configuration.tilesPerSlide = min(4, tiles)
        configuration.slides = (tiles + configuration.tilesPerSlide - 1) / configuration.tilesPerSlide
        let manifest = folder + "/synth.json"
        if let data = FileManager.default.contents(atPath: manifest),
           let existing = try? JSONDecoder().decode(SynthesisWriter.Manifest.self, from: data),
           existing.configuration == configuration, existing.version == StainScoreVersion.version {
            return Array(InputDiscovery.imageFiles(in: [folder]).prefix(tiles))
        }
        FileHandle.standardError.write(Data("bench: generating \(tiles) virtual \(size)² \(format.rawValue) tiles in \(folder)…\n".utf8))
        try SynthesisWriter.run(configuration, to: folder)
        return Array(InputDiscovery.imageFiles(in: [folder]).prefix(tiles))
    }
}
