import Foundation
import StainScore
import Testing

/// `ihc-score bench` end to end, on inputs small enough for a debug build: the figures are not
/// checked for speed (no timed test), only for being complete and consistent with the inputs.
@Suite("ihc-score bench (end to end)")
struct BenchCommandTests {
    struct PipelineJSON: Decodable {
        var toolVersion: String
        var cpuTarget: String?
        var tiles: [String]
        var loadBefore: [Double]?
        var oneThread: PipelineBenchmark.Report
        var parallel: PipelineBenchmark.Report?
        var speedup: Double?
        var analysisToDecode: Double?
        var memoryBudgetBytes: Int
        var peakResidentIsBenchmarkOnly: Bool
    }

    struct ScoreJSON: Decodable {
        var toolVersion: String
        var oneJob: ScoreBenchmark.Report
        var parallel: ScoreBenchmark.Report?
        var scoreToAnalysis: Double
    }

    @Test("bench score on generated tiles: score's files, every stage timed, 1 and 2 jobs")
    func score() throws {
        let scratch = Scratch()
        let json = scratch.file("bench.json"), out = scratch.file("out")
        let r = try CLI.run(["bench", "score", "--tiles", "3", "--size", "192", "--repeats", "1", "--jobs", "2",
                             "--work-dir", scratch.file("tiles"), "--out", out, "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        for stage in ["hash", "decode", "analysis", "analysis.nuclei", "outlines", "geojson", "geojson-write", "cells.csv",
                      "slides.csv", "tiles.csv", "report.json", "report.html", "finish"] {
            #expect(r.stdout.contains("\n\(stage) "), "no row for \(stage)")
        }
        #expect(r.stdout.contains("score ÷ (decode + analysis), 1 job"), "\(r.stdout)")
        let report = try JSONDecoder().decode(ScoreJSON.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.toolVersion == StainScoreVersion.version)
        let one = report.oneJob
        #expect(one.jobs == 1 && one.tiles == 3 && one.cells > 0 && one.cpuSeconds > 0 && one.peakResidentBytes > 0)
        #expect(abs(one.megapixels - 3 * 192 * 192 / 1e6) < 1e-9)
        // Every tile decoded, analysed and written once per pass.
        for stage in ["decode", "analysis", "outlines", "geojson"] {
            #expect(one.stages.first { $0.stage == stage }?.count == 3, "\(stage)")
        }
        let parallel = try #require(report.parallel)
        #expect(parallel.jobs == 2 && parallel.cells == one.cells)
        // The passes wrote what score writes.
        for file in ["cells.csv", "tiles.csv", "slides.csv", "report.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
    }

    @Test("bench pipeline on generated tiles: every stage, 1 and 2 threads, the build and the budget")
    func pipeline() throws {
        let scratch = Scratch()
        let json = scratch.file("bench.json")
        let r = try CLI.run(["bench", "pipeline", "--tiles", "3", "--size", "160", "--repeats", "1", "--jobs", "2",
                             "--work-dir", scratch.file("tiles"), "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("built for \(StainScoreBuild.cpuTarget)"), "\(r.stdout)")
        #expect(r.stdout.contains("load average before:"))
        for stage in ["decode", "stains", "tissue", "nuclei", "cells", "membrane", "classify"] {
            #expect(r.stdout.contains("\n\(stage) "), "no row for \(stage)")
        }
        let report = try JSONDecoder().decode(PipelineJSON.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.toolVersion == StainScoreVersion.version)
        #expect(report.cpuTarget == StainScoreBuild.cpuTarget)
        #expect(report.tiles.count == 3)
        let one = report.oneThread
        #expect(one.threads == 1 && one.tiles == 3)
        #expect(abs(one.megapixels - 3 * 160 * 160 / 1e6) < 1e-9)
        #expect(one.stages.map(\.stage).starts(with: ["decode"]) && one.stages.count >= 7)
        #expect(one.steps.contains { $0.stage == "membrane.sectors" })
        #expect(one.wallSeconds > 0 && one.cpuSeconds > 0 && one.peakResidentBytes > 0 && one.cells > 0)
        // The ratio is the two figures of the same one-thread passes divided.
        let decode = try #require(one.stages.first { $0.stage == "decode" })
        let ratio = try #require(report.analysisToDecode)
        #expect(abs(ratio - one.analysisMegapixelsPerSecond / decode.megapixelsPerSecond) <= 1e-12 * ratio)
        #expect(r.stdout.contains(String(format: "analysis ÷ decode, 1 thread: %.3f", ratio)), "\(r.stdout)")
        let parallel = try #require(report.parallel)
        #expect(parallel.threads == 2 && parallel.tiles == 3 && parallel.cells == one.cells)  // the same cells, whatever the threads
        #expect(report.memoryBudgetBytes == 100_000_000 + 40 * 2 * 160 * 160)
        #if os(Linux)
        // The peaks are the passes' own: reset after the tiles were generated.
        #expect(report.peakResidentIsBenchmarkOnly)
        #expect(!r.stdout.contains("includes generating"))
        #endif
        // The tiles are kept in --work-dir and reused.
        let again = try CLI.run(["bench", "pipeline", "--tiles", "3", "--size", "160", "--repeats", "1", "--jobs", "1",
                                 "--work-dir", scratch.file("tiles")])
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test("bench decode: one row per variant asked for, with the build")
    func decode() throws {
        let scratch = Scratch()
        let json = scratch.file("decode.json")
        let r = try CLI.run(["bench", "decode", "--size", "96", "--repeats", "2", "--variants", "png,png-libpng,tiff-lzw",
                             "--work-dir", scratch.path, "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("built for \(StainScoreBuild.cpuTarget)"))
        struct DecodeJSON: Decodable { var cpuTarget: String; var width: Int; var results: [DecodeBenchmark.Result] }
        let report = try JSONDecoder().decode(DecodeJSON.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.cpuTarget == StainScoreBuild.cpuTarget && report.width == 96)
        #expect(report.results.map(\.variant) == ["png", "png-libpng", "tiff-lzw"])
        #expect(report.results.allSatisfy { $0.repeats == 2 && $0.fileBytes > 0 && $0.megapixelsPerSecond > 0 })
    }

    @Test("bench with a missing input or a bad option fails with a usage status")
    func badInput() throws {
        let missing = try CLI.run(["bench", "pipeline", "/nonexistent/tiles"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("/nonexistent/tiles: no such file or folder"), "\(missing.stderr)")
        let unknown = try CLI.run(["bench", "decode", "--variants", "gif"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown variants: gif"))
    }
}
