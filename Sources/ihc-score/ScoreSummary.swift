#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StainScore

/// The table a pathologist reads on stdout: one line per slide, printed as each slide finishes
/// (columns sized from the slide names known in advance), then the totals.
final class ScoreSummary {
    private let nameWidth: Int
    private var printedHeader = false

    init(slideNames: [String]) {
        nameWidth = max(5, slideNames.map(\.count).max() ?? 5)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    func print(_ s: SlideSummary) {
        if !printedHeader {
            printedHeader = true
            emit(Self.pad("SLIDE", nameWidth) + "  SCORE  CATEGORY   ≥1+     ≥2+     3+      TUMOUR  FLAGS")
        }
        let p = s.score.percentages
        let percent = { (v: Double) in Self.pad(String(format: "%.1f%%", v), 6) }
        var line = Self.pad(s.slide, nameWidth) + "  " + Self.pad(s.score.reportedScore?.label ?? "—", 5) + "  "
            + Self.pad(s.score.reportedCategory?.rawValue ?? "—", 9)
        line += "  " + percent(p.onePlusOrMore) + "  " + percent(p.twoPlusOrMore) + "  " + percent(p.three)
        line += "  " + Self.pad(String(s.score.tumourCells), 6) + "  " + (s.flags.isEmpty ? "-" : s.flags.joined(separator: ";"))
        if let why = s.score.unscorable { line += "  (no score: \(why))" }
        if s.resumed { line += "  (resumed)" }
        emit(line)
    }

    func printTotals(_ t: BatchTotals, outputDirectory: String) {
        let analysed = t.tiles - t.tilesResumed
        var line = "\(t.slides) slide\(t.slides == 1 ? "" : "s"): \(t.slides - t.slidesResumed) scored, \(t.slidesResumed) resumed; "
        line += "\(t.tiles) tile\(t.tiles == 1 ? "" : "s")"
        if t.tilesFailed > 0 { line += " (\(t.tilesFailed) failed)" }
        line += String(format: "; %.1f s wall, %.1f s CPU", t.wallSeconds, t.cpuSeconds)
        if analysed > 0, t.wallSeconds > 0 {
            line += String(format: ", %.2f tiles/s, %.1f MP/s", Double(analysed) / t.wallSeconds, t.megapixelsAnalysed / t.wallSeconds)
        }
        emit(line + ". Results in \(outputDirectory)")
    }

    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
