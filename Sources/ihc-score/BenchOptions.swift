import ArgumentParser
import Foundation
import StainScore

/// The options `bench pipeline` and `bench score` share: how generated tiles are made and kept,
/// the pixel size and parameters they are analysed with, and how the passes are run and reported.
/// (The number and format of generated tiles differ per benchmark and stay with each command.)
struct BenchOptions: ParsableArguments {
    @Option(help: "Generated tile side, pixels.")
    var size = 1024

    @Option(name: .customLong("generate-mpp"), help: "Pixel size of generated tiles, µm/px.")
    var generateMpp = 0.5

    @Option(help: "Seed of generated tiles.")
    var seed: UInt64 = 9

    @Option(help: "Folder for generated tiles (kept and reused); default: a temporary folder, removed afterwards.")
    var workDir: String?

    @Option(help: "Pixel size in µm/px for files that carry none.")
    var mpp: Double?

    @Option(help: "Analysis parameters from a TOML or JSON file, as for score.")
    var config: String?

    @Option(help: "Workers for the parallel measurement (default: the cores available; 1: the one-job pass only).")
    var jobs = ProcessMetrics.availableCores

    @Option(help: "Timed passes per measurement, after a warm-up pass; the median pass is reported.")
    var repeats = 3

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be 1…256") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard size >= 64, size <= 8192 else { throw ValidationError("--size must be 64…8192") }
        if let mpp, !(mpp > 0) { throw ValidationError("--mpp must be positive") }
    }
}
