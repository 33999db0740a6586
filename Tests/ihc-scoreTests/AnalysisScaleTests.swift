import Foundation
import StainScore
import Testing

/// `--analysis-mpp`: 0.25 µm/px virtual slides scored after a 2×2 reduction to 0.5 µm/px
/// (`--analysis-mpp 0.5`) and at full resolution (the default for 0.25 µm/px) give the same slide scores, and each report records the
/// scale it used. (The tests run the debug build, so the tiles are small: one 512² tile of
/// 128 µm holds 25–60 tumour cells, too few for the percentages to be compared tightly or for
/// every score to match the truth. The 40-slide comparison of both scales against the truth,
/// where both score every slide right, is in the README, "Analysis scale".)
@Suite("ihc-score score --analysis-mpp (end to end)")
struct AnalysisScaleTests {
    @Test("0.25 µm/px slides: reduced to 0.5 and at full resolution give the same scores")
    func reducedAgreesWithFull() throws {
        let scratch = Scratch()
        let slides = scratch.file("q")
        // Three slides of one 512² tile (128 µm square): truth 0, 1+ and 2+ for this seed.
        let synth = try CLI.run(["synth", slides, "--slides", "3", "--tiles-per-slide", "1", "--size", "512",
                                 "--mpp", "0.25", "--seed", "31"])
        try #require(synth.status == 0, "\(synth.stderr)")
        // 128 µm squares hold fewer tumour cells than a slide needs to be scored: lower the minimum.
        let config = scratch.file("few-cells.toml")
        try "[rules]\nminimumTumourCells = 10\n".write(toFile: config, atomically: true, encoding: .utf8)
        var scores: [String: [String]] = [:]
        for (name, extra) in [("reduced", ["--analysis-mpp", "0.5"]), ("full", [String]())] {
            let out = scratch.file(name)
            let run = try CLI.run(["score", slides, "--out", out, "--quiet", "--config", config] + extra)
            try #require(run.status == 0, "\(run.stderr)")
            let table = try Results.table(out + "/slides.csv")
            scores[name] = try Results.column(table, "score")
            let report = try Results.json(out + "/report.json")
            let parameters = try #require(report["parameters"] as? [String: Any])
            #expect(parameters["analysisMicronsPerPixel"] as? Double == (name == "full" ? 0.25 : 0.5))
        }
        #expect(scores["reduced"] == scores["full"])
        // Not a vacuous match: three slides, not all with the same score.
        #expect(scores["full"]?.count == 3 && Set(scores["full"] ?? []).count > 1)
    }
}
