/// `slides.csv`: one row per slide, in discovery order.
///
/// | column | meaning |
/// |---|---|
/// | `slide` | slide name (folder or file name, or the manifest's) |
/// | `score` | `0`, `1+`, `2+` or `3+` |
/// | `category` | `null`, `ultralow`, `low`, `equivocal` or `positive` |
/// | `pct_1plus_or_more`, `pct_2plus_or_more`, `pct_3plus` | cumulative shares of tumour cells, % |
/// | `h_score` | membrane H-score, 0–300 |
/// | `tumour_cells` | tumour cells pooled over the slide's tiles |
/// | `flags` | `;`-separated: `ish-reflex`, `borderline`, `insufficient`, `tile-errors`, `stain-qc`, `pixel-size`, `controls-failed` (score --controls) |
/// | `pct_0`, `pct_1plus`, `pct_2plus` | shares of each class, % |
/// | `cells_0` … `cells_3plus` | tumour cells of each class |
/// | `excluded_cells` | cells left out of the denominator |
/// | `tiles`, `failed_tiles` | tiles of the slide, and those that could not be scored |
/// | `tissue_area_mm2` | measurable tissue (inside the regions of interest), mm² |
/// | `rule_set` | the rule set applied |
/// | `reason` | the cut-off that decided, in words |
public enum SlidesCSV {
    public static let columns = ["slide", "score", "category", "pct_1plus_or_more", "pct_2plus_or_more", "pct_3plus", "h_score",
                                 "tumour_cells", "flags", "pct_0", "pct_1plus", "pct_2plus", "cells_0", "cells_1plus",
                                 "cells_2plus", "cells_3plus", "excluded_cells", "tiles", "failed_tiles", "tissue_area_mm2",
                                 "rule_set", "reason"]
    public static var header: String { columns.joined(separator: ",") }

    public static func row(_ s: SlideSummary) -> String {
        let f = CSVFormatting.fixed
        let p = s.score.percentages
        let counts = s.score.classCounts
        return CSVFormatting.row([
            s.slide, s.score.reportedScore?.label ?? "", s.score.reportedCategory?.rawValue ?? "", f(p.onePlusOrMore, 2), f(p.twoPlusOrMore, 2), f(p.three, 2),
            f(s.score.hScore, 1), String(s.score.tumourCells), s.flags.joined(separator: ";"),
            f(p.zero, 2), f(p.one, 2), f(p.two, 2),
            String(counts[0]), String(counts[1]), String(counts[2]), String(counts[3]),
            String(s.tiles.reduce(0) { $0 + $1.excludedCells }), String(s.tiles.count), String(s.failedTiles),
            f(s.tiles.reduce(0) { $0 + $1.tissueAreaMM2 }, 4), s.score.ruleSet.rawValue, s.score.reason,
        ])
    }
}
