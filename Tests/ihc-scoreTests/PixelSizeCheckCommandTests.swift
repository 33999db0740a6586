import Foundation
import Testing

/// `score` says when the nuclei contradict the pixel size given: the bundled virtual slides are
/// rendered at 0.5 µm/px; scored as if at 0.2 or 1.25 µm/px, they are flagged, with a warning
/// naming the slide and the pixel size the nuclei suggest, on stderr and in report.json.
@Suite("ihc-score score: the pixel-size check (end to end)")
struct PixelSizeCheckCommandTests {
    @Test("a pixel size 2.5× off either way is flagged; the true one is not", arguments: [
        ("0.2", true), ("1.25", true), ("0.5", false),
    ])
    func flagged(mpp: String, expectFlag: Bool) throws {
        let scratch = Scratch()
        let out = scratch.file("out")
        let run = try CLI.run(["score", CLI.packageRoot + "/fixtures/slides/virtual/slide-001", "--mpp", mpp, "--override-mpp",
                               "--out", out, "--no-geojson"])
        #expect(run.status == 0, "\(run.stderr)")
        let warning = run.stderr.split(separator: "\n").first { $0.contains("contradicts the tissue") }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let slides = try #require(report["slides"] as? [[String: Any]])
        let flags = slides.first?["flags"] as? [String] ?? []
        let warnings = slides.first?["warnings"] as? [String] ?? []
        #expect(flags.contains("pixel-size") == expectFlag, "\(flags)")
        #expect(warnings.contains { $0.contains("contradicts the tissue") } == expectFlag, "\(warnings)")
        #expect((warning != nil) == expectFlag, "\(run.stderr)")
        // report.html shows the flag, and the warning, in the slide's quality control.
        let page = try HTMLCheck(String(contentsOfFile: out + "/report.html", encoding: .utf8))
        let qc = page.root.all("li").map(\.text)
        #expect(qc.contains { $0.contains("flagged pixel-size") } == expectFlag, "\(qc)")
        #expect(qc.contains { $0.contains("contradicts the tissue") } == expectFlag, "\(qc)")
        if expectFlag, let warning {
            #expect(warning.hasPrefix("warning: slide-001: pixel size \(mpp) µm/px"))
            // The suggestion points towards the true 0.5 µm/px.
            let suggested = try #require(Double(String(warning.split(separator: "suggest ")[1].split(separator: " ")[0])))
            #expect(abs(log(suggested / 0.5)) < abs(log(Double(mpp)! / 0.5)), "suggested \(suggested)")
        }
    }
}
