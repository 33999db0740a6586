import Foundation
import StainScore
import Testing

/// `OUT/report.html` end to end: well-formed, complete, offline, and rendered by a real browser.
@Suite("ihc-score score: report.html (end to end)")
struct ReportHTMLCommandTests {
    /// A slide name with every character HTML and URLs treat specially.
    static let hostileName = "a&b <i>\"q\" 'x' #1 %20"

    /// The fixture's three slides, a slide whose only tile is corrupt (unscorable) and a copy of
    /// slide-001 under `hostileName`, scored into `out`.
    static func scoreRun(_ scratch: Scratch, overlays: Bool) throws -> (out: String, slides: [String], run: CLI.Result) {
        let input = try BatchFixture.copy(into: scratch)
        try FileManager.default.removeItem(atPath: input + "/labels.csv")
        try FileManager.default.removeItem(atPath: input + "/cells.csv")
        try FileManager.default.createDirectory(atPath: input + "/corrupt", withIntermediateDirectories: true)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: input + "/corrupt/tile-000.png"))
        try FileManager.default.copyItem(atPath: input + "/slide-001", toPath: input + "/" + hostileName)
        let out = scratch.file("out")
        let run = try CLI.run(["score", input, "--out", out, "--quiet", "--layout", "slides"] + (overlays ? ["--overlays"] : []))
        let slides = (BatchFixture.slideNames + ["corrupt", hostileName]).sorted()
        return (out, slides, run)
    }

    @Test("well-formed, every slide present and marked, no network reference, links resolve; without --overlays no thumbnails")
    func structure() throws {
        let scratch = Scratch()
        let (out, slides, run) = try Self.scoreRun(scratch, overlays: true)
        #expect(run.status == 2, "the corrupt slide's tile fails: \(run.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let page = try HTMLCheck(html)
        #expect(page.networkReferences().isEmpty, "\(page.networkReferences())")
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(Results.temporaries(out).isEmpty, "\(Results.temporaries(out))")

        // The index: one row per slide in input order, the unscorable one marked.
        let table = try #require(page.root.all("table").first { $0.attributes["id"] == "slides" })
        let rows = table.all("tr").filter { $0.parent?.name == "tbody" }
        #expect(rows.map { $0.children[1].all("a").first?.text ?? "" } == slides)
        for row in rows {
            let name = row.children[1].all("a").first?.text ?? ""
            #expect(row.classes.contains("unscored") == (name == "corrupt"), "\(name): \(row.classes)")
            let target = try #require(row.children[1].all("a").first?.attributes["href"])
            let section = try #require(page.root.all("section").first { "#" + ($0.attributes["id"] ?? "") == target })
            #expect(section.all("h2").first?.text.hasSuffix(". " + name) == true)
        }
        let corrupt = try #require(rows.first { $0.children[1].text.hasPrefix("corrupt") })
        #expect(corrupt.children[2].text.contains("no readable tile"))
        #expect(corrupt.classes.contains("flagged"), "tile-errors is a flag")

        // Per slide: the explanation, both charts, the tiles, the overlays with the legend, QC and provenance.
        let sections = page.root.all("section").filter { $0.classes.contains("slide") && $0.attributes["id"]?.hasPrefix("slide-") == true }
        #expect(sections.count == slides.count)
        for section in sections {
            let why = try #require(section.all("p").first { $0.classes.contains("why") })
            #expect(why.text.contains("No score") || why.text.contains("under breast-2018"), "\(why.text)")
            #expect(section.all("p").contains { $0.text.hasPrefix("Cut-offs of breast-2018: 3+ ") && $0.text.contains("≥1+ ") },
                    "each share against its cut-off")
            #expect(section.all("svg").filter { $0.classes.contains("chart") }.count == 2)
            #expect(section.all("h3").map(\.text) == ["Tiles", "Overlays", "Quality control"])
            #expect(section.all("summary").first?.text == "Provenance")
            #expect(section.text.contains("Stain vectors"))
        }
        let scored = try #require(sections.first { $0.all("h2").first?.text == "1. " + slides[0] })
        #expect(scored.all("img").count == 2 && scored.all("p").contains { $0.classes.contains("legend") })
        #expect(scored.all("img").allSatisfy { $0.parent?.name == "a" && $0.parent?.attributes["href"] == $0.attributes["src"] })
        let hostile = try #require(sections.first { $0.all("h2").first?.text.hasSuffix(Self.hostileName) == true })
        #expect(hostile.all("img").count == 2, "the overlays of a slide with a hostile name are linked")
        // Every relative link and image names a file beside the page.
        for target in page.relativeTargets() {
            #expect(FileManager.default.fileExists(atPath: out + "/" + target), "missing \(target)")
        }
        // Unescaped, the name would have opened an <i> element.
        #expect(page.root.all("i").isEmpty)

        // Without --overlays the page still works, and says how to get them.
        let plain = Scratch()
        let (plainOut, _, _) = try Self.scoreRun(plain, overlays: false)
        let plainHTML = try String(contentsOfFile: plainOut + "/report.html", encoding: .utf8)
        let plainPage = try HTMLCheck(plainHTML)
        #expect(plainPage.root.all("img").isEmpty)
        #expect(plainHTML.contains("Overlays were not written"))
        for target in plainPage.relativeTargets() {
            #expect(FileManager.default.fileExists(atPath: plainOut + "/" + target), "missing \(target)")
        }
    }

    /// The inline charts of a page, in order.
    static func charts(_ html: String) -> [String] {
        html.components(separatedBy: "<svg class=\"chart\"").dropFirst().map { String($0.prefix { $0 != "\n" }) }
    }

    @Test("a resumed run's page covers every slide, with the same charts as when the cells were measured")
    func resumed() throws {
        let scratch = Scratch()
        let input = try BatchFixture.copy(into: scratch)
        let out = scratch.file("out")
        let first = try CLI.run(["score", input, "--out", out, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let again = try CLI.run(["score", input, "--out", out, "--quiet", "--resume"])
        #expect(again.stdout.contains("0 scored, 3 resumed"), "\(again.stdout)")
        let after = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let page = try HTMLCheck(after)
        let names = page.root.all("section").filter { $0.classes.contains("slide") }.compactMap { $0.all("h2").first?.text }
        #expect(names == ["1. slide-001", "2. slide-002", "3. slide-003", "The run"])
        #expect(page.root.all("span").filter { $0.text == "resumed" }.count == 6, "marked in the index and in each section")
        #expect(Self.charts(before).count == 6)
        #expect(Self.charts(after) == Self.charts(before))
    }

    @Test("the strict checker itself: refuses what a lenient browser would repair")
    func checker() throws {
        let ok = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>a>b{}</style></head><body><p>a &amp; b<br></p>"
            + "<svg><rect x=\"1\"/></svg><script>if (a < b && c) {}</script></body></html>"
        let page = try HTMLCheck(ok)
        #expect(page.root.all("p").first?.text == "a & b")
        #expect(page.scripts == ["if (a < b && c) {}"])
        for bad in ["<html><body><p><b></p></b></body></html>", "<html><body><p>a & b</p></body></html>",
                    "<html><body><div></body></html>", "<html><body><p>a < b</p></body></html>",
                    "<html><body><p class=x></p></body></html>", "<html><body><span/></body></html>",
                    "<html><body><p>&bogus;</p></body></html>", "<html></html><p></p>"] {
            #expect(throws: HTMLCheck.Failure.self, "\(bad)") { try HTMLCheck(bad) }
        }
        let remote = try HTMLCheck("<html><head><style>@import 'x.css';</style></head><body><img src=\"https://x/y.png\">"
            + "<a href=\"//cdn/x\"></a><a href=\"#local\"></a></body></html>")
        #expect(remote.networkReferences().count == 3, "\(remote.networkReferences())")
    }

    @Test("headless Chromium loads the page with no console message, runs its script, and the screenshot is not blank",
          .enabled(if: Chromium.binary != nil, "chromium is not installed (scripts/test.sh installs Debian's package; or set CHROMIUM)"))
    func rendered() throws {
        let scratch = Scratch()
        let (out, _, _) = try Self.scoreRun(scratch, overlays: true)
        let page = out + "/report.html"

        let shot = scratch.file("report.png")
        let render = try Chromium.run(["--window-size=1280,1600", "--screenshot=" + shot], page: page, profile: scratch.file("profile-1"))
        #expect(render.status == 0, "\(render.stderr.suffix(2000))")
        #expect(render.consoleMessages.isEmpty, "\(render.consoleMessages)")

        let dom = try Chromium.run(["--dump-dom"], page: page, profile: scratch.file("profile-2"))
        #expect(dom.consoleMessages.isEmpty, "\(dom.consoleMessages)")
        #expect(dom.stdout.contains("data-sortable=\"ready\""), "the sorting script ran to its end")

        let image = try ImageReader().read(shot)
        #expect(image.width == 1280 && image.height == 1600)
        var nonWhite = 0
        var colours = Set<Int>()
        image.pixels.withUnsafeBufferPointer { px in
            for p in 0..<image.pixelCount {
                let r = Int(px[3 * p]), g = Int(px[3 * p + 1]), b = Int(px[3 * p + 2])
                if min(r, g, b) < 240 { nonWhite += 1 }
                colours.insert((r >> 4) << 8 | (g >> 4) << 4 | b >> 4)
            }
        }
        #expect(Double(nonWhite) > 0.01 * Double(image.pixelCount), "\(nonWhite) non-white pixels")
        #expect(colours.count >= 16, "\(colours.count) distinct colours")
        // The class colours of the charts are on screen (0 blue, 1+ yellow).
        #expect(colours.contains((40 >> 4) << 8 | (90 >> 4) << 4 | 255 >> 4))
        #expect(colours.contains((255 >> 4) << 8 | (230 >> 4) << 4 | 0))
    }
}
