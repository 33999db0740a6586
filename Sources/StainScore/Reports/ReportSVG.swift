import Foundation

/// The charts of `report.html`, drawn by the tool as inline SVG (no charting library, nothing
/// fetched when the page is viewed). Every coordinate is an integer or a fixed-decimal number
/// written by `HTMLEscaping.fixed`, so the same results give the same bytes.
public enum ReportSVG {
    /// `#rrggbb` of a cell class as the overlays draw it (nil: excluded cells).
    public static func colour(_ cellClass: HER2Score?) -> String {
        let (r, g, b) = Overlay.colour(cellClass)
        let hex = Array("0123456789abcdef")
        return "#" + String([hex[Int(r >> 4)], hex[Int(r & 15)], hex[Int(g >> 4)], hex[Int(g & 15)], hex[Int(b >> 4)], hex[Int(b & 15)]])
    }

    /// Horizontal bars of the tumour cells per class (0, 1+, 2+, 3+) and of the excluded cells,
    /// each labelled with its count and, for the classes, its share of the tumour cells.
    public static func classBars(counts: [Int], excluded: Int) -> String {
        let tumour = counts.reduce(0, +)
        let largest = max(1, max(excluded, counts.max() ?? 0))
        let rowHeight = 24, left = 70, barWidth = 220
        let rows: [(String, Int, String)] = HER2Score.allCases.map { ($0.label, counts[$0.rawValue], colour($0)) }
            + [("excluded", excluded, colour(nil))]
        let height = rows.count * rowHeight + 8
        var svg = "<svg class=\"chart\" width=\"400\" height=\"\(height)\" viewBox=\"0 0 400 \(height)\" role=\"img\">"
        svg += "<title>Cells per class</title>"
        for (k, (label, n, fill)) in rows.enumerated() {
            let y = 4 + k * rowHeight
            let w = n == 0 ? 0 : max(1, Int((Double(n) / Double(largest) * Double(barWidth)).rounded()))
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 16)\" text-anchor=\"end\">\(label)</text>"
            svg += "<rect x=\"\(left)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(rowHeight - 6)\" fill=\"\(fill)\" stroke=\"#333\" stroke-width=\"0.5\"/>"
            var text = String(n)
            if k < 4 { text += " (" + HTMLEscaping.fixed(tumour > 0 ? 100 * Double(n) / Double(tumour) : 0, 1) + "%)" }
            svg += "<text x=\"\(left + w + 6)\" y=\"\(y + 16)\">\(text)</text>"
        }
        return svg + "</svg>"
    }

    /// The tumour cells' membrane intensity (y, log10 DAB OD) against completeness (x) as a
    /// 2-D histogram: one square per occupied bin, in the colour of the class most of its cells
    /// have, more opaque the more cells it holds (log scale). The class cut-offs of `cells` are
    /// drawn as dashed lines: `stainedThreshold`, `weakIntensity`, `moderateIntensity`,
    /// `intenseIntensity` across, `minimumStainedFraction` and `completeFraction` up. At most
    /// 40 × 48 squares, whatever the number of cells.
    public static func scatter(_ histogram: MembraneHistogram, cells: CellClassificationParameters) -> String {
        let cw = 8, ih = 5  // pixels per bin
        let nc = MembraneHistogram.completenessBins, ni = MembraneHistogram.intensityBins
        let plotW = nc * cw, plotH = ni * ih
        let left = 56, top = 12, right = 92, bottom = 44
        let width = left + plotW + right, height = top + plotH + bottom
        let top1 = MembraneHistogram.intensityTop
        func x(_ completeness: Double) -> Int { left + Int((completeness * Double(plotW)).rounded()) }
        func y(_ intensity: Double) -> Int { top + plotH - Int((min(intensity, top1) / top1 * Double(plotH)).rounded()) }

        var svg = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        svg += "<title>Membrane intensity against completeness, tumour cells</title>"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"#fafafa\" stroke=\"#999\"/>"
        var largest = 0
        for i in 0..<ni { for c in 0..<nc { largest = max(largest, histogram.total(intensityBin: i, completenessBin: c)) } }
        if largest > 0 {
            let logMax = log1p(Double(largest))
            var squares = ""
            squares.reserveCapacity(64 * 256)
            for i in 0..<ni {
                for c in 0..<nc {
                    let n = histogram.total(intensityBin: i, completenessBin: c)
                    guard n > 0 else { continue }
                    var majority = HER2Score.zero, most = -1
                    for k in HER2Score.allCases {
                        let m = histogram.count(cellClass: k, intensityBin: i, completenessBin: c)
                        if m > most { most = m; majority = k }
                    }
                    let opacity = logMax > 0 ? 0.3 + 0.7 * log1p(Double(n)) / logMax : 1
                    squares += "<rect x=\"\(left + c * cw)\" y=\"\(top + plotH - (i + 1) * ih)\" width=\"\(cw)\" height=\"\(ih)\" fill=\"\(colour(majority))\" fill-opacity=\"\(HTMLEscaping.fixed(opacity, 2))\"/>"
                }
            }
            svg += "<g>" + squares + "</g>"
        }
        // Cut-offs.
        svg += "<g stroke=\"#222\" stroke-dasharray=\"4 3\" stroke-width=\"1\">"
        let across: [(Double, String)] = [(cells.stainedThreshold, "stained"), (cells.weakIntensity, "weak"),
                                          (cells.moderateIntensity, "moderate"), (cells.intenseIntensity, "intense")]
        let up: [(Double, String)] = [(cells.minimumStainedFraction, "min. stained"), (cells.completeFraction, "complete")]
        for (value, _) in across where value >= 0 && value <= top1 {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(y(value))\" y2=\"\(y(value))\"/>"
        }
        for (value, _) in up where value >= 0 && value <= 1 {
            svg += "<line x1=\"\(x(value))\" x2=\"\(x(value))\" y1=\"\(top)\" y2=\"\(top + plotH)\"/>"
        }
        svg += "</g><g class=\"cut\">"
        for (value, name) in across where value >= 0 && value <= top1 {
            svg += "<text x=\"\(left + plotW + 4)\" y=\"\(y(value) + 4)\">\(name) \(HTMLEscaping.fixed(value, 2))</text>"
        }
        for (value, name) in up where value >= 0 && value <= 1 {
            svg += "<text x=\"\(x(value))\" y=\"\(top + plotH + 40)\" text-anchor=\"middle\">\(name) \(HTMLEscaping.fixed(value, 2))</text>"
        }
        svg += "</g>"
        // Axes.
        for tick in stride(from: 0.0, through: 1.0001, by: 0.25) {
            svg += "<text x=\"\(x(tick))\" y=\"\(top + plotH + 14)\" text-anchor=\"middle\">\(HTMLEscaping.fixed(tick, 2))</text>"
        }
        for tick in stride(from: 0.0, through: top1 + 0.0001, by: 0.2) {
            svg += "<text x=\"\(left - 4)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(HTMLEscaping.fixed(tick, 1))</text>"
        }
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH + 27)\" text-anchor=\"middle\">completeness (stained fraction of the membrane)</text>"
        svg += "<text transform=\"rotate(-90)\" x=\"\(-(top + plotH / 2))\" y=\"14\" text-anchor=\"middle\">intensity (log10 DAB OD)</text>"
        if largest == 0 {
            svg += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\">no tumour cells</text>"
        }
        return svg + "</svg>"
    }

    /// One tile's tumour cells as a 100% stacked bar of the classes 0, 1+, 2+, 3+ (grey outline
    /// only when the tile has no tumour cells).
    public static func stackedBar(counts: [Int], width: Int = 160, height: Int = 14) -> String {
        let total = counts.reduce(0, +)
        var svg = "<svg class=\"bar\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        if total > 0 {
            // Cumulative edges rounded once each, so the parts always fill the bar exactly.
            var cumulative = 0, edge = 0
            for k in HER2Score.allCases {
                cumulative += counts[k.rawValue]
                let next = Int((Double(cumulative) / Double(total) * Double(width)).rounded())
                if next > edge {
                    svg += "<rect x=\"\(edge)\" y=\"0\" width=\"\(next - edge)\" height=\"\(height)\" fill=\"\(colour(k))\"/>"
                }
                edge = next
            }
        }
        return svg + "<rect x=\"0.5\" y=\"0.5\" width=\"\(width - 1)\" height=\"\(height - 1)\" fill=\"none\" stroke=\"#666\"/></svg>"
    }

}
