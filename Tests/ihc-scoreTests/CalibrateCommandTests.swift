import Foundation
import StainScore
import Testing

/// `ihc-score calibrate`, `score --calibration` and `score --controls` end to end on small
/// virtual slides whose DAB is 0.6× the default.
@Suite("ihc-score calibrate (end to end)", .serialized)
struct CalibrateCommandTests {
    /// One control per score (0, 1+, 2+, 3+), DAB 0.6×, gathered into `folder` as c0 … c3 with
    /// their labels.csv and cells.csv.
    static func controls(in scratch: Scratch, scale: String = "0.6", scores: [String] = ["0", "1+", "2+", "3+"]) throws -> String {
        let folder = scratch.file("controls")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var labels = ["slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp"]
        var cells = ["slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um"]
        for (k, score) in scores.enumerated() {
            let name = "c\(score.replacingOccurrences(of: "+", with: ""))"
            let out = scratch.file("synth-\(name)")
            let r = try CLI.run(["synth", out, "--slides", "1", "--score", score, "--seed", String(300 + k), "--tiles-per-slide", "1",
                                 "--size", "448", "--dab-scale", scale])
            #expect(r.status == 0, "\(r.stderr)")
            try FileManager.default.moveItem(atPath: out + "/slide-001", toPath: folder + "/" + name)
            for line in try String(contentsOfFile: out + "/labels.csv", encoding: .utf8).split(separator: "\n").dropFirst() {
                labels.append(name + line.dropFirst("slide-001".count))
            }
            for line in try String(contentsOfFile: out + "/cells.csv", encoding: .utf8).split(separator: "\n").dropFirst() {
                cells.append(name + line.dropFirst("slide-001".count))
            }
        }
        try (labels.joined(separator: "\n") + "\n").write(toFile: folder + "/labels.csv", atomically: true, encoding: .utf8)
        try (cells.joined(separator: "\n") + "\n").write(toFile: folder + "/cells.csv", atomically: true, encoding: .utf8)
        return folder
    }

    @Test("synth --dab-scale: weaker DAB renders different pixels with the same truth; --dab-scale 1 is the default rendering")
    func dabScale() throws {
        let scratch = Scratch()
        let base = ["synth", "", "--slides", "1", "--score", "2+", "--seed", "5", "--tiles-per-slide", "1", "--size", "128"]
        func render(_ name: String, _ extra: [String]) throws -> String {
            var args = base
            args[1] = scratch.file(name)
            let r = try CLI.run(args + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return scratch.file(name)
        }
        let plain = try render("plain", []), one = try render("one", ["--dab-scale", "1"])
        let weak = try render("weak", ["--dab-scale", "0.6"]), vector = try render("vector", ["--dab-vector", "0.40,0.62,0.67"])
        let tile = "/slide-001/tile-000.png"
        #expect(FileManager.default.contents(atPath: plain + tile) == FileManager.default.contents(atPath: one + tile))
        #expect(FileManager.default.contents(atPath: plain + "/synth.json") == FileManager.default.contents(atPath: one + "/synth.json"))
        #expect(FileManager.default.contents(atPath: plain + tile) != FileManager.default.contents(atPath: weak + tile))
        #expect(FileManager.default.contents(atPath: plain + tile) != FileManager.default.contents(atPath: vector + tile))
        #expect(FileManager.default.contents(atPath: plain + "/cells.csv") == FileManager.default.contents(atPath: weak + "/cells.csv"))
        let bad = try CLI.run(["synth", scratch.file("bad"), "--dab-scale", "0"])
        #expect(bad.status == 64)
    }

    @Test("calibrate on 0.6× controls writes a calibration; score --calibration records its hash; --controls passes and fails")
    func calibrateAndScore() throws {
        let scratch = Scratch()
        let folder = try Self.controls(in: scratch)
        let calibration = scratch.file("calibration.toml")
        let r = try CLI.run(["calibrate", folder, "--labels", folder + "/labels.csv", "--cells", folder + "/cells.csv",
                             "--out", calibration, "--quiet", "--jobs", "2"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("stainedThreshold") && r.stdout.contains("leave-one-out"))
        let text = try String(contentsOfFile: calibration, encoding: .utf8)
        #expect(text.contains("[rules.cells]") && text.contains("[calibration]") && text.contains("controlSHA256"))
        // Weaker stain: every intensity cut-off moved down.
        let parameters = try ConfigurationFile.load(calibration)
        #expect(parameters.rules.cells.weakIntensity < 0.25 && parameters.rules.cells.intenseIntensity < 0.55)

        // score --calibration: the controls get their labels; the file's hash is in report.json.
        let out = scratch.file("scored")
        let s = try CLI.run(["score", folder, "--calibration", calibration, "--controls", folder + "/labels.csv",
                             "--out", out, "--quiet", "--no-geojson", "--jobs", "2"])
        #expect(s.status == 0, "\(s.stdout)\n\(s.stderr)")
        #expect(s.stdout.contains("controls passed"))
        let report = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        let sha = try SHA256.file(at: calibration).sha256
        #expect(report.contains("\"calibrationSHA256\" : \"\(sha)\"") || report.contains("\"calibrationSHA256\":\"\(sha)\""))

        // A control labelled otherwise, and one missing: every slide is flagged, exit 2.
        var labels = try String(contentsOfFile: folder + "/labels.csv", encoding: .utf8)
        labels = labels.replacingOccurrences(of: "\nc3,3+,", with: "\nc3,2+,") + "absent,1+\n"
        let wrong = scratch.file("wrong.csv")
        try labels.write(toFile: wrong, atomically: true, encoding: .utf8)
        let f = try CLI.run(["score", folder, "--calibration", calibration, "--controls", wrong,
                             "--out", scratch.file("failed"), "--quiet", "--no-geojson", "--jobs", "2"])
        #expect(f.status == 2)
        #expect(f.stderr.contains("c3 (labelled 2+) was scored 3+"), "\(f.stderr)")
        #expect(f.stderr.contains("absent (labelled 1+) is not in this batch"))
        #expect(f.stderr.contains("controls-failed"))
        let rows = try String(contentsOfFile: scratch.file("failed") + "/slides.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 4 && rows.allSatisfy { $0.contains("controls-failed") })
        let failedReport = try String(contentsOfFile: scratch.file("failed") + "/report.json", encoding: .utf8)
        #expect(failedReport.components(separatedBy: "controls-failed").count - 1 == 4)
    }

    @Test("calibrate refuses without a control of every score (exit 2, nothing written); a bad labels file is a usage error")
    func refusals() throws {
        let scratch = Scratch()
        let folder = try Self.controls(in: scratch, scores: ["0", "1+", "2+"])
        let calibration = scratch.file("calibration.toml")
        let r = try CLI.run(["calibrate", folder, "--labels", folder + "/labels.csv", "--out", calibration, "--quiet"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no 3+ control") && r.stderr.contains("intenseIntensity"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: calibration))
        let missing = try CLI.run(["calibrate", folder, "--labels", scratch.file("none.csv"), "--out", calibration])
        #expect(missing.status == 64)
        let extra = scratch.file("extra.csv")
        try "slide,score\nc0,0\nnot-here,2+\n".write(toFile: extra, atomically: true, encoding: .utf8)
        let absent = try CLI.run(["calibrate", folder, "--labels", extra, "--out", calibration, "--quiet"])
        #expect(absent.status == 2 && absent.stderr.contains("not-here"))
    }
}
