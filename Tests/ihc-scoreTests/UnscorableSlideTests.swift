import Foundation
import StainScore
import Testing

/// A slide that cannot be scored is reported without a score — never as HER2 0 — through every
/// output: a slide whose only tile is corrupt, a slide of bare glass, and a slide with fewer
/// tumour cells than the minimum.
@Suite("ihc-score score: unscorable means unscored (end to end)")
struct UnscorableSlideTests {
    @Test("corrupt-only, glass-only and under-minimum slides: empty score in slides.csv, null in report.json, — in the summary, missing in validate")
    func unscored() throws {
        let scratch = Scratch()
        let input = scratch.file("slides")
        try FileManager.default.createDirectory(atPath: input + "/corrupt", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: input + "/glass", withIntermediateDirectories: true)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: input + "/corrupt/tile-000.png"))
        try ImageWriter.writePNG(RGBImage(width: 256, height: 256, fill: (240, 240, 238)), to: input + "/glass/tile-000.png")
        try FileManager.default.copyItem(atPath: BatchFixture.folder + "/slide-001", toPath: input + "/few")
        // The fixture slide holds a few hundred tumour cells: a minimum of 10,000 puts it under.
        let config = scratch.file("minimum.toml")
        try "[rules]\nminimumTumourCells = 10000\n".write(toFile: config, atomically: true, encoding: .utf8)
        let out = scratch.file("out")
        let run = try CLI.run(["score", input, "--out", out, "--mpp", "0.5", "--config", config])
        #expect(run.status == 2, "a slide with no readable tile keeps exit code 2: \(run.stderr)")

        let slides = try Results.table(out + "/slides.csv")
        #expect(try Results.column(slides, "slide") == ["corrupt", "few", "glass"])
        #expect(try Results.column(slides, "score") == ["", "", ""])
        #expect(try Results.column(slides, "category") == ["", "", ""])
        let reasons = try Results.column(slides, "reason")
        #expect(reasons[0] == "no readable tile")
        #expect(reasons[1].hasPrefix("insufficient: ") && reasons[1].hasSuffix(" tumour cells < 10000"))
        #expect(reasons[2] == "insufficient: 0 tumour cells < 10000")
        // Counts and percentages are still reported.
        let counted = try Results.column(slides, "tumour_cells").map { Int($0)! }
        #expect(counted[0] == 0 && counted[1] > 0 && counted[2] == 0)

        let report = try Results.json(out + "/report.json")
        let entries = try #require(report["slides"] as? [[String: Any]])
        for entry in entries {
            let score = try #require(entry["score"] as? [String: Any])
            #expect(score["score"] is NSNull && score["category"] is NSNull, "\(score)")
            #expect((score["unscorable"] as? String)?.isEmpty == false)
        }

        let lines = run.stdout.split(separator: "\n").map(String.init)
        for (name, why) in [("corrupt", "no readable tile"), ("glass", "insufficient: 0 tumour cells < 10000")] {
            let line = try #require(lines.first { $0.hasPrefix(name + " ") })
            #expect(line.contains("—") && line.contains("(no score: \(why))"), "\(line)")
        }

        // validate counts them as missing, not as 0.
        try "slide,score\ncorrupt,0\nfew,1+\nglass,0\n".write(toFile: input + "/labels.csv", atomically: true, encoding: .utf8)
        let validate = try CLI.run(["validate", input, "--results", out])
        #expect(validate.status == 2)
        #expect(validate.stdout.contains("3 truth slides, 0 predicted, 0 compared"), "\(validate.stdout)")
        #expect(validate.stderr.contains("3 truth slide(s) have no prediction: corrupt, few, glass"), "\(validate.stderr)")
    }
}
