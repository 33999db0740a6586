#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StainScore

/// Batch progress on stderr: a single line redrawn in place on a terminal (slides and tiles
/// done/total, MP/s, ETA), plain lines every 5 seconds or 10% when stderr is not a terminal,
/// nothing with `--quiet`.
final class ProgressDisplay {
    enum Mode {
        case bar
        case lines
        case silent
    }

    let mode: Mode
    private var drawn = false
    private var lastDraw = -Double.infinity
    private var lastLine = -Double.infinity
    private var lastDecile = 0
    private var latest: BatchProgress?
    /// stdout shares the terminal: clear the bar before printing results.
    private let stdoutIsTerminal = isatty(1) == 1

    init(quiet: Bool) {
        mode = quiet ? .silent : (isatty(2) == 1 ? .bar : .lines)
    }

    func update(_ p: BatchProgress) {
        latest = p
        let now = ProcessMetrics.monotonicSeconds()
        switch mode {
        case .silent:
            return
        case .bar:
            guard now - lastDraw >= 0.1 || p.tilesDone == p.tilesTotal else { return }
            lastDraw = now
            draw(p)
        case .lines:
            let decile = p.tilesTotal > 0 ? p.tilesDone * 10 / p.tilesTotal : 10
            guard now - lastLine >= 5 || decile > lastDecile else { return }
            guard p.tilesDone > 0 else { return }  // nothing to say yet
            guard p.tilesDone < p.tilesTotal || p.slidesDone < p.slidesTotal else { return }  // the last line comes from finish
            lastLine = now
            lastDecile = decile
            write("progress: " + Self.describe(p) + "\n")
        }
    }

    /// Erases the bar so that a result or error line can be printed on the terminal.
    func clear(forStdout: Bool) {
        guard mode == .bar, drawn, !forStdout || stdoutIsTerminal else { return }
        write("\r\u{1B}[K")
        drawn = false
    }

    /// Draws the bar again after `clear`.
    func restore() {
        guard mode == .bar, !drawn, let latest else { return }
        draw(latest)
    }

    func finish(_ p: BatchProgress) {
        switch mode {
        case .silent: return
        case .bar:
            draw(p)
            write("\n")
            drawn = false
        case .lines:
            write("progress: " + Self.describe(p) + "\n")
        }
    }

    private func draw(_ p: BatchProgress) {
        let width = 24
        let fraction = p.tilesTotal > 0 ? Double(p.tilesDone) / Double(p.tilesTotal) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        write("\r" + bar + String(format: " %3d%% ", Int(fraction * 100)) + Self.describe(p) + "\u{1B}[K")
        drawn = true
    }

    /// `slides 12/200  tiles 25/400 (1 failed)  14.2 MP/s  ETA 1m05s`
    static func describe(_ p: BatchProgress) -> String {
        var text = "slides \(p.slidesDone)/\(p.slidesTotal)"
        if p.slidesResumed > 0 { text += " (\(p.slidesResumed) resumed)" }
        text += "  tiles \(p.tilesDone)/\(p.tilesTotal)"
        if p.tilesFailed > 0 { text += " (\(p.tilesFailed) failed)" }
        let analysed = p.tilesAnalysed
        if p.elapsedSeconds > 0 {
            text += String(format: "  %.1f MP/s", p.megapixelsAnalysed / p.elapsedSeconds)
        }
        if p.tilesDone >= p.tilesTotal {
            text += "  done in " + duration(p.elapsedSeconds)
        } else if analysed > 0, p.elapsedSeconds > 0 {
            // Rate of analysed tiles only: resumed ones cost nothing and would flatter it.
            let remaining = Double(p.tilesTotal - p.tilesDone) * p.elapsedSeconds / Double(analysed)
            text += "  ETA " + duration(remaining)
        } else {
            text += "  ETA --"
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return seconds < 10 ? String(format: "%.1fs", seconds) : "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
