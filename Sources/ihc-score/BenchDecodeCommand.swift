import ArgumentParser
import Foundation
import StainScore

/// `ihc-score bench decode`: decode speed of every format on one generated picture.
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode throughput per format (MP/s, CPU and wall time, peak memory) on a generated tissue-like image.",
        discussion: "Build with `swift build -c release` first: debug builds are many times slower.")

    @Option(help: "Image side in pixels (the image is square).")
    var size = 4096

    @Option(help: "Timed decodes per format, after one warm-up decode; the median is reported.")
    var repeats = 5

    @Option(help: "Only these variants (comma-separated), e.g. png,jpeg-q90-420,tiff-deflate.")
    var variants: String?

    @Option(help: "Decode this file's picture instead of the generated one (re-encoded in each variant).")
    var from: String?

    @Option(help: "Folder for the temporary files (default: the system's temporary folder).")
    var workDir: String?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        guard size >= 16, size <= 16384 else { throw ValidationError("--size must be 16…16384") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        var chosen = DecodeBenchmark.standardVariants
        if let variants {
            let names = Set(variants.split(separator: ",").map { String($0) })
            let unknown = names.subtracting(chosen.map(\.name))
            guard unknown.isEmpty else {
                throw ValidationError("unknown variants: \(unknown.sorted().joined(separator: ", ")); known: \(chosen.map(\.name).joined(separator: ", "))")
            }
            chosen = chosen.filter { names.contains($0.name) }
        }
        let image: RGBImage
        if let from {
            let source = try ImageReader().read(from)
            image = source.width >= size && source.height >= size
                ? source.cropped(to: PixelRect(x: 0, y: 0, width: size, height: size)) : source
        } else {
            image = BenchmarkImage.tissueLike(width: size, height: size)
        }
        let directory = workDir ?? FileManager.default.temporaryDirectory.path
        let loadBefore = ProcessMetrics.loadAverage()
        let results = try DecodeBenchmark.run(image: image, variants: chosen, directory: directory, repeats: repeats)
        let loadAfter = ProcessMetrics.loadAverage()
        func load(_ l: (Double, Double, Double)?) -> String {
            l.map { String(format: "%.2f %.2f %.2f", $0.0, $0.1, $0.2) } ?? "n/a"
        }
        print("decode benchmark: \(image.width)×\(image.height) px, \(repeats) timed decodes per variant, 1 thread, ihc-score \(StainScoreVersion.version), \(StainScoreBuild.summary)")
        print("load average before: \(load(loadBefore))   after: \(load(loadAfter))   cores: \(ProcessMetrics.availableCores)")
        var rows = [["VARIANT", "FILE MB", "MP/s (median)", "ms/decode", "CPU s", "WALL s", "CPU/WALL", "PEAK RSS MB"]]
        for r in results {
            rows.append([
                r.variant, String(format: "%.2f", Double(r.fileBytes) / 1e6), String(format: "%.1f", r.megapixelsPerSecond),
                String(format: "%.1f", r.medianWallSeconds * 1000), String(format: "%.2f", r.cpuSeconds),
                String(format: "%.2f", r.wallSeconds), String(format: "%.2f", r.cpuSeconds / max(r.wallSeconds, 1e-9)),
                String(format: "%.0f", Double(r.peakResidentBytes) / 1e6),
            ])
        }
        print(Output.table(rows))
        if let json {
            struct Report: Encodable {
                var tool: String
                var cpuTarget: String
                var width: Int
                var height: Int
                var loadBefore: [Double]?
                var loadAfter: [Double]?
                var results: [DecodeBenchmark.Result]
            }
            let report = Report(tool: "ihc-score \(StainScoreVersion.version)", cpuTarget: StainScoreBuild.cpuTarget, width: image.width, height: image.height,
                                loadBefore: loadBefore.map { [$0.0, $0.1, $0.2] },
                                loadAfter: loadAfter.map { [$0.0, $0.1, $0.2] }, results: results)
            do {
                try AtomicFile.write(try Output.json(report) + "\n", to: json)
            } catch {
                Output.error("\(error)")
                throw ExitCodes.cannotWriteOutput
            }
        }
    }
}
