import Foundation

/// `report.html`: one self-contained page a pathologist can check a batch with, offline — an
/// index of the slides (sortable), then per slide why it got its score, its cells as charts, its
/// tiles side by side with their overlays, its QC warnings and its provenance.
///
/// The page takes its data from what `report.json` is written from (the header, each slide's
/// `SlideSummary`, the footer) plus each slide's `MembraneHistogram`, and holds nothing fetched
/// at view time: the style and the sorting script are inline, the charts inline SVG
/// (`ReportSVG`), the overlays relative links to the PNGs beside it. Every name and message is
/// escaped (`HTMLEscaping`). The same results give the same bytes: no timings, only the
/// timestamps `report.json` records.
public enum ReportHTML {
    /// What the index keeps of a slide until the end (its section is already on disk).
    struct IndexRow: Sendable {
        var number: Int
        var slide: String
        var score: HER2Score?
        var category: HER2Category?
        var unscorable: String?
        var flags: [String]
        var percentages: ClassPercentages
        var hScore: Double
        var tumourCells: Int
        var excludedCells: Int
        var ruleSet: RuleSet
        var resumed: Bool
    }

    /// Writes `report.html` as a batch goes: each slide's section is streamed into a hidden
    /// temporary file as the slide finishes (memory holds one index row per slide, nothing per
    /// cell); `finish` writes the page — head, index, the sections, the run's provenance — into
    /// another temporary file renamed into place, like the batch's other outputs.
    public final class Stream {
        let page: AtomicStream
        let sections: AtomicStream
        let header: ReportJSON.Header
        var rows: [IndexRow] = []

        /// Opens the page's and the sections' temporary files beside `path`.
        public init(path: String, header: ReportJSON.Header) throws {
            self.header = header
            page = try AtomicStream(path: path)
            sections = try AtomicStream(path: path + ".slides")
        }

        /// Adds a finished slide. `overlayExists` says whether an overlay path (relative to the
        /// output folder) names a file, so that the page never links to a missing image.
        public func append(_ slide: SlideSummary, histogram: MembraneHistogram, overlayExists: (String) -> Bool) throws {
            let number = rows.count + 1
            rows.append(IndexRow(number: number, slide: slide.slide, score: slide.score.reportedScore,
                                 category: slide.score.reportedCategory, unscorable: slide.score.unscorable, flags: slide.flags,
                                 percentages: slide.score.percentages, hScore: slide.score.hScore,
                                 tumourCells: slide.score.tumourCells, excludedCells: slide.tiles.reduce(0) { $0 + $1.excludedCells },
                                 ruleSet: slide.score.ruleSet, resumed: slide.resumed))
            try sections.write(ReportHTML.section(slide, number: number, histogram: histogram, header: header,
                                                  overlayExists: overlayExists))
        }

        /// Writes the page and renames it into place; the sections' temporary file is removed.
        public func finish(_ footer: ReportJSON.Footer) throws {
            try sections.flush()
            try page.write(ReportHTML.head(header) + ReportHTML.index(rows, header: header))
            try page.append(contentsOf: sections.temporaryPath)
            try page.write(ReportHTML.tail(header, footer: footer))
            try page.commit()
            sections.abandon()
        }

        /// Removes both temporary files; a previous `report.html` stays as it was.
        public func abandon() {
            page.abandon()
            sections.abandon()
        }
    }

    // MARK: Pieces of the page

    static func e(_ text: String) -> String { HTMLEscaping.escape(text) }
    static func pct(_ v: Double) -> String { HTMLEscaping.fixed(v, 1) }

    /// What each flag means, as the index and the sections explain it.
    static let flagMeanings: [(String, String)] = [
        ("ish-reflex", "2+: reflex in-situ hybridisation required"),
        ("borderline", "a deciding share lies near its cut-off"),
        ("insufficient", "fewer tumour cells than the rule set's minimum: no score"),
        ("tile-errors", "some tiles could not be read or scored; the slide is scored on the others"),
        ("stain-qc", "stain estimation failed or is far from the default vectors"),
        ("pixel-size", "the nuclei suggest a pixel size far from the given one"),
    ]

    static func flagBadges(_ flags: [String]) -> String {
        flags.map { flag in
            let meaning = flagMeanings.first { $0.0 == flag }?.1 ?? flag
            return "<span class=\"flag\" title=\"\(e(meaning))\">\(e(flag))</span>"
        }.joined(separator: " ")
    }

    static func scoreBadge(_ score: HER2Score?) -> String {
        guard let score else { return "<span class=\"score none\">—</span>" }
        return "<span class=\"score s\(score.rawValue)\">\(score.label)</span>"
    }

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1240px;padding:0 20px 40px;color:#1d1d1d;background:#fff;line-height:1.4}
        h1{font-size:1.6em;margin:18px 0 4px}h2{font-size:1.3em;margin:0 0 6px}h3{font-size:1.05em;margin:14px 0 6px}
        table{border-collapse:collapse;font-size:.9em}th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        table.sortable th{cursor:pointer;user-select:none;background:#f1f1f1}table.sortable th:hover{background:#e4e4e4}
        th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
        tr.unscored td{background:#eeeeee;color:#555}tr.flagged td:first-child{box-shadow:inset 4px 0 #e08a00}
        .score{display:inline-block;min-width:2.2em;text-align:center;font-weight:700;border-radius:4px;padding:0 4px;border:1px solid #555}
        .s0{background:#dfe6ff}.s1{background:#fff6b0}.s2{background:#ffd7a3}.s3{background:#ffb3b3}.none{background:#e6e6e6;color:#555}
        .flag{display:inline-block;font-size:.8em;background:#fff1d6;border:1px solid #e0a040;border-radius:3px;padding:0 4px;margin:1px}
        .tag{display:inline-block;font-size:.8em;background:#e8eef8;border:1px solid #8aa0c8;border-radius:3px;padding:0 4px}
        section.slide{border-top:3px solid #333;margin-top:28px;padding-top:10px}
        .why{background:#f6f8fb;border-left:4px solid #4a6fa5;padding:6px 10px}.why.unscored{border-left-color:#999;background:#f2f2f2}
        .charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0}figcaption{font-size:.85em;color:#444;max-width:520px}
        svg.chart text{font-size:11px;fill:#222}svg.chart .cut text{font-size:10px;fill:#444}svg.bar{vertical-align:middle}
        .thumbs{display:flex;flex-wrap:wrap;gap:10px}.thumbs figure{width:184px}.thumbs img{width:180px;height:auto;border:1px solid #999;display:block}
        .legend{font-size:.85em;margin:4px 0}.legend span.sw{display:inline-block;width:12px;height:12px;border:2px solid;vertical-align:middle;margin:0 3px 0 10px}
        .warn{color:#8a4b00}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:.8em;max-height:420px}
        .muted{color:#666;font-size:.9em}code{font-size:.9em}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
        """

    /// Sorts a `table.sortable` by the clicked column (numbers by `data-v` where given); the
    /// original order (`data-order`) breaks ties. Marks the page `data-sortable="ready"` when set up.
    static let script = """
        (function () {
          "use strict";
          function key(row, column, numeric) {
            var cell = row.cells[column];
            var v = cell.getAttribute("data-v");
            if (v === null) { v = cell.textContent; }
            if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
            return v.toLowerCase();
          }
          function setUp(table) {
            var heads = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(heads, function (th, column) {
              th.tabIndex = 0;
              function sort() {
                var ascending = th.getAttribute("aria-sort") !== "ascending";
                var numeric = th.getAttribute("data-type") === "num";
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = key(a, column, numeric), y = key(b, column, numeric);
                  if (x < y) { return ascending ? -1 : 1; }
                  if (x > y) { return ascending ? 1 : -1; }
                  return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
                });
                Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
                th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
                rows.forEach(function (r) { body.appendChild(r); });
              }
              th.addEventListener("click", sort);
              th.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
              });
            });
          }
          Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setUp);
          document.documentElement.setAttribute("data-sortable", "ready");
        })();
        """

    static func head(_ header: ReportJSON.Header) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        s += "<meta name=\"generator\" content=\"\(e(header.tool)) \(e(header.version))\">\n"
        // No favicon request: the page fetches nothing.
        s += "<link rel=\"icon\" href=\"data:,\">\n"
        s += "<title>HER2 IHC report — \(e(header.tool)) \(e(header.version))</title>\n"
        s += "<style>\n" + style + "\n</style>\n</head>\n<body>\n"
        s += "<header>\n<h1>HER2 immunohistochemistry: scoring report</h1>\n"
        s += "<p class=\"muted\">\(e(header.tool)) \(e(header.version)) · rule set <b>\(e(header.ruleSet.name))</b>: \(e(header.ruleSet.summary))\n"
        s += "· started <time>\(e(header.startedAt))</time> · schema of report.json: <code>\(e(header.schema))</code></p>\n"
        s += "<p class=\"muted\">Every score here is also in <a href=\"slides.csv\">slides.csv</a> and <a href=\"report.json\">report.json</a>; "
        s += "the cells are in <a href=\"cells.csv\">cells.csv</a>. A slide without a score (too few tumour cells, no readable tile) "
        s += "is shown as — with the reason; its counts are given for checking only.</p>\n</header>\n"
        return s
    }

    static func index(_ rows: [IndexRow], header: ReportJSON.Header) -> String {
        var s = "<section id=\"index\">\n<h2>Slides (\(rows.count))</h2>\n"
        s += "<p class=\"muted\">Click a column heading to sort. Grey rows have no score; an orange edge marks a flagged slide.</p>\n"
        s += "<table class=\"sortable\" id=\"slides\">\n<thead><tr>"
        let columns: [(String, Bool)] = [("#", true), ("Slide", false), ("Score", true), ("Category", false), ("Flags", false),
                                         ("≥1+ %", true), ("≥2+ %", true), ("3+ %", true), ("H-score", true),
                                         ("Tumour cells", true), ("Excluded cells", true), ("Rule set", false)]
        for (name, numeric) in columns {
            s += numeric ? "<th class=\"n\" data-type=\"num\">\(e(name))</th>" : "<th>\(e(name))</th>"
        }
        s += "</tr></thead>\n<tbody>\n"
        for r in rows {
            var classes: [String] = []
            if r.unscorable != nil { classes.append("unscored") }
            if !r.flags.isEmpty { classes.append("flagged") }
            s += "<tr data-order=\"\(r.number)\"" + (classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"") + ">"
            s += "<td class=\"n\">\(r.number)</td>"
            s += "<td><a href=\"#slide-\(r.number)\">\(e(r.slide))</a>" + (r.resumed ? " <span class=\"tag\">resumed</span>" : "") + "</td>"
            s += "<td class=\"n\" data-v=\"\(r.score.map { String($0.rawValue) } ?? "-1")\">\(scoreBadge(r.score))"
            if let why = r.unscorable { s += "<br><span class=\"muted\">\(e(why))</span>" }
            s += "</td>"
            s += "<td>\(e(r.category?.rawValue ?? "—"))</td>"
            s += "<td>\(r.flags.isEmpty ? "" : flagBadges(r.flags))</td>"
            let p = r.percentages
            for v in [p.onePlusOrMore, p.twoPlusOrMore, p.three, r.hScore] {
                s += "<td class=\"n\" data-v=\"\(HTMLEscaping.fixed(v, 4))\">\(pct(v))</td>"
            }
            s += "<td class=\"n\">\(r.tumourCells)</td><td class=\"n\">\(r.excludedCells)</td><td>\(e(r.ruleSet.rawValue))</td></tr>\n"
        }
        s += "</tbody>\n</table>\n"
        s += "<p class=\"muted\">Flags: " + flagMeanings.map { "<span class=\"flag\">\(e($0.0))</span> \(e($0.1))" }.joined(separator: "; ")
            + ".</p>\n"
        s += legend(header: header)
        s += "</section>\n"
        return s
    }

    /// What each outline colour of the overlays means (the overlay images carry the same legend).
    static func legend(header: ReportJSON.Header) -> String {
        var s = "<p class=\"legend\">Overlay outlines and chart colours:"
        for k in HER2Score.allCases {
            s += "<span class=\"sw\" style=\"border-color:\(ReportSVG.colour(k))\"></span>\(k.label) tumour cell"
        }
        s += "<span class=\"sw\" style=\"border-color:\(ReportSVG.colour(nil))\"></span>excluded cell (lymphocyte, stroma, debris)"
        s += "<span class=\"sw\" style=\"border-color:#141414\"></span>nucleus"
        s += "; outside a region of interest the tile is faded and its cells are grey.</p>\n"
        return s
    }

    /// One slide's section.
    static func section(_ slide: SlideSummary, number: Int, histogram: MembraneHistogram, header: ReportJSON.Header,
                        overlayExists: (String) -> Bool) -> String {
        let score = slide.score
        let rules = header.parameters.rules
        var s = "<section class=\"slide\" id=\"slide-\(number)\">\n"
        s += "<h2>\(number). \(e(slide.slide))</h2>\n"
        s += "<p>\(scoreBadge(score.reportedScore)) <b>\(e(score.reportedCategory?.rawValue ?? "no score"))</b>"
        if !slide.flags.isEmpty { s += " · flags: " + flagBadges(slide.flags) }
        if slide.resumed { s += " · <span class=\"tag\">resumed</span> (reused from an earlier run with the same inputs and parameters)" }
        s += "</p>\n"

        // Why.
        if let why = score.unscorable {
            s += "<p class=\"why unscored\"><b>No score</b>: \(e(why)). The counts and percentages below are reported for checking only.</p>\n"
        } else {
            s += "<p class=\"why\"><b>\(score.score.label) (\(e(score.category.rawValue)))</b> under \(e(score.ruleSet.rawValue)) — "
            s += "\(e(score.ruleSet.summary)): \(e(score.reason)).</p>\n"
        }
        let p = score.percentages
        s += cutoffs(score, rules: rules)
        let counts = score.classCounts
        let excluded = slide.tiles.reduce(0) { $0 + $1.excludedCells }
        s += "<p>\(score.tumourCells) tumour cells (0: \(counts[0]), 1+: \(counts[1]), 2+: \(counts[2]), 3+: \(counts[3])) · "
        s += "≥1+ \(pct(p.onePlusOrMore))% · ≥2+ \(pct(p.twoPlusOrMore))% · 3+ \(pct(p.three))% · H-score \(pct(score.hScore)) · "
        s += "\(excluded) excluded cells · \(slide.tiles.count) tile\(slide.tiles.count == 1 ? "" : "s")"
        if slide.failedTiles > 0 { s += " (<span class=\"warn\">\(slide.failedTiles) failed</span>)" }
        s += " · tissue \(HTMLEscaping.fixed(slide.tiles.reduce(0) { $0 + $1.tissueAreaMM2 }, 3)) mm²"
        if let clusters = score.largestClusters, clusters.count == 3 {
            s += " · largest cohesive clusters ≥1+ \(clusters[0]), ≥2+ \(clusters[1]), 3+ \(clusters[2]) cells (≥\(rules.clusterMinimumCells) sets the score)"
        }
        s += "</p>\n"

        // Charts.
        let cells = rules.cells
        s += "<div class=\"charts\">\n<figure>\(ReportSVG.classBars(counts: counts, excluded: excluded))"
        s += "<figcaption>Tumour cells per class (share of tumour cells), and the cells left out of the denominator.</figcaption></figure>\n"
        s += "<figure>\(ReportSVG.scatter(histogram, cells: cells))<figcaption>"
        s += "Each tumour cell's membrane intensity against its completeness: \(histogram.cells) cells binned 0.025 × 0.025, "
        s += "each square in the colour of the class most of its cells have, darker with more cells (log scale)"
        if histogram.aboveTop > 0 { s += "; \(histogram.aboveTop) cells above \(HTMLEscaping.fixed(MembraneHistogram.intensityTop, 1)) drawn in the top row" }
        s += ". Dashed: the class cut-offs — 0 below \(HTMLEscaping.fixed(cells.minimumStainedFraction, 2)) completeness or "
        s += "\(HTMLEscaping.fixed(cells.stainedThreshold, 2)) intensity; complete from \(HTMLEscaping.fixed(cells.completeFraction, 2)); "
        s += "3+ intense (≥ \(HTMLEscaping.fixed(cells.intenseIntensity, 2))) and complete; 2+ weak-to-moderate (≥ \(HTMLEscaping.fixed(cells.weakIntensity, 2))) "
        s += "and complete, or moderate (≥ \(HTMLEscaping.fixed(cells.moderateIntensity, 2))) and incomplete; 1+ the rest of the stained cells"
        if score.ruleSet.basolateralCountsAsComplete {
            s += ". Under \(e(score.ruleSet.rawValue)) a longest stained arc ≥ \(HTMLEscaping.fixed(cells.basolateralArcFraction, 2)) "
            s += "(basolateral) also counts as complete, so cells left of the complete line can be 2+ or 3+"
        }
        s += ".</figcaption></figure>\n</div>\n"

        s += tiles(slide, overlayExists: overlayExists, header: header)
        s += qc(slide)
        s += provenance(slide)
        s += "</section>\n"
        return s
    }

    /// Each cumulative share against the guideline cut-off it is compared with, crossed or not
    /// (percentage rule sets; a gastric biopsy is decided by its clusters instead).
    static func cutoffs(_ score: SlideScore, rules: ScoringRules) -> String {
        guard score.ruleSet != .gastricBiopsy else { return "" }
        var rules = rules
        rules.ruleSet = score.ruleSet
        let inclusive = score.ruleSet.usesInclusiveCutoffs
        let p = score.percentages
        let shares: [Int: (String, Double)] = [3: ("3+", p.three), 2: ("≥2+", p.twoPlusOrMore), 1: ("≥1+", p.onePlusOrMore)]
        let parts = SlideScorer.cutoffs(rules).compactMap { cut -> String? in
            guard let (label, value) = shares[cut.share] else { return nil }
            let crossed = inclusive ? value >= cut.value : value > cut.value
            return "\(label) \(pct(value))% " + (crossed ? "crosses" : "stays under") + " \(inclusive ? "≥" : "&gt;") \(pct(cut.value))%"
        }
        return "<p class=\"muted\">Cut-offs of \(e(score.ruleSet.rawValue)): " + parts.joined(separator: " · ") + ".</p>\n"
    }

    static func tiles(_ slide: SlideSummary, overlayExists: (String) -> Bool, header: ReportJSON.Header) -> String {
        var s = "<h3>Tiles</h3>\n"
        let scored = slide.tiles.filter { $0.error == nil && $0.tumourCells > 0 }
        if scored.count > 1 {
            let shares = scored.map { ClassPercentages(counts: $0.classCounts) }
            let one = shares.map(\.onePlusOrMore), three = shares.map(\.three)
            s += "<p>Heterogeneity over the \(scored.count) tiles with tumour cells: ≥1+ from \(pct(one.min()!))% to \(pct(one.max()!))%, "
            s += "3+ from \(pct(three.min()!))% to \(pct(three.max()!))% (the slide's score pools the cells of every tile).</p>\n"
        }
        s += "<table>\n<thead><tr><th>Tile</th><th class=\"n\">Tumour</th><th class=\"n\">Excluded</th><th>Classes 0 · 1+ · 2+ · 3+</th>"
        s += "<th class=\"n\">≥1+ %</th><th class=\"n\">≥2+ %</th><th class=\"n\">3+ %</th><th class=\"n\">H-score</th>"
        s += "<th>Pixel size (µm/px)</th><th>Notes</th></tr></thead>\n<tbody>\n"
        for tile in slide.tiles {
            s += "<tr><td>\(e(tile.tile))</td>"
            if let error = tile.error {
                s += "<td class=\"n\">—</td><td class=\"n\">—</td><td></td><td></td><td></td><td></td><td></td><td></td>"
                s += "<td class=\"warn\">failed: \(e(error))</td></tr>\n"
                continue
            }
            let p = ClassPercentages(counts: tile.classCounts)
            s += "<td class=\"n\">\(tile.tumourCells)</td><td class=\"n\">\(tile.excludedCells)</td>"
            s += "<td>\(ReportSVG.stackedBar(counts: tile.classCounts))</td>"
            s += "<td class=\"n\">\(pct(p.onePlusOrMore))</td><td class=\"n\">\(pct(p.twoPlusOrMore))</td><td class=\"n\">\(pct(p.three))</td>"
            s += "<td class=\"n\">\(pct(p.hScore))</td>"
            if let size = tile.pixelSize {
                s += "<td>\(HTMLEscaping.fixed(size.micronsPerPixel, 4)) (\(e(size.source.rawValue)))</td>"
            } else {
                s += "<td>—</td>"
            }
            var notes: [String] = []
            if let roi = tile.regionOfInterest { notes.append("region of interest (\(e(roi.kind.rawValue))): \(e(roi.path))") }
            s += "<td>\(notes.joined(separator: "<br>"))</td></tr>\n"
        }
        s += "</tbody>\n</table>\n"

        let overlays = slide.tiles.compactMap { tile in tile.overlay.flatMap { overlayExists($0) ? (tile.tile, $0) : nil } }
        s += "<h3>Overlays</h3>\n"
        if overlays.isEmpty {
            s += header.options.overlays
                ? "<p class=\"muted\">No overlay for this slide (no tile could be analysed).</p>\n"
                : "<p class=\"muted\">Overlays were not written: run <code>ihc-score score</code> with <code>--overlays</code> to see each tile's cells outlined here.</p>\n"
        } else {
            s += legend(header: header)
            s += "<div class=\"thumbs\">\n"
            for (tile, path) in overlays {
                let url = HTMLEscaping.urlPath(path)
                s += "<figure><a href=\"\(url)\"><img src=\"\(url)\" alt=\"overlay of \(e(tile))\" loading=\"lazy\"></a>"
                s += "<figcaption>\(e(tile))</figcaption></figure>\n"
            }
            s += "</div>\n<p class=\"muted\">Click a thumbnail for the full-size overlay.</p>\n"
        }
        return s
    }

    static func vector(_ v: SIMD3<Double>) -> String {
        "(" + [v.x, v.y, v.z].map { HTMLEscaping.fixed($0, 3) }.joined(separator: ", ") + ")"
    }

    static func qc(_ slide: SlideSummary) -> String {
        var s = "<h3>Quality control</h3>\n<ul>\n"
        let reference = StainMatrix.ruifrokJohnstonHDAB
        let source: String = switch slide.stainSource {
        case .parameters: "the parameters' vectors"
        case .estimated: "estimated from the slide (Macenko)"
        case .fallback: "the parameters' vectors after a failed estimation"
        }
        s += "<li>Stain vectors (\(e(source))): hematoxylin \(vector(slide.stains.hematoxylin)), DAB \(vector(slide.stains.dab)); "
        s += "\(HTMLEscaping.fixed(StainMatrix.angleDegrees(slide.stains.hematoxylin, reference.hematoxylin), 1))° and "
        s += "\(HTMLEscaping.fixed(StainMatrix.angleDegrees(slide.stains.dab, reference.dab), 1))° from the Ruifrok–Johnston defaults.</li>\n"
        let sizes = Set(slide.tiles.compactMap { $0.pixelSize }.map { HTMLEscaping.fixed($0.micronsPerPixel, 4) + " µm/px (" + $0.source.rawValue + ")" })
        if !sizes.isEmpty || slide.flags.contains("pixel-size") {
            s += "<li>Pixel size: " + (sizes.isEmpty ? "unknown" : e(sizes.sorted().joined(separator: "; ")))
            if slide.flags.contains("pixel-size") {
                s += " — <span class=\"warn\">flagged <code>pixel-size</code>: the nuclei suggest another (see below)</span>"
            }
            s += ".</li>\n"
        }
        if slide.failedTiles > 0 {
            s += "<li class=\"warn\">\(slide.failedTiles) of \(slide.tiles.count) tiles could not be scored (<code>tile-errors</code>).</li>\n"
        }
        for flag in slide.flags {
            let meaning = flagMeanings.first { $0.0 == flag }?.1 ?? ""
            s += "<li>Flag <span class=\"flag\">\(e(flag))</span>: \(e(meaning)).</li>\n"
        }
        for warning in slide.warnings { s += "<li class=\"warn\">\(e(warning))</li>\n" }
        if slide.warnings.isEmpty && slide.flags.isEmpty { s += "<li>No warnings.</li>\n" }
        s += "</ul>\n"
        return s
    }

    static func provenance(_ slide: SlideSummary) -> String {
        var s = "<details>\n<summary>Provenance</summary>\n<p>Analysed by ihc-score \(e(slide.toolVersion))"
        if let key = slide.inputKey { s += " · input key <code>\(e(key))</code>" }
        if let cells = slide.cellsSHA256 { s += " · SHA-256 of its cells.csv rows <code>\(e(cells))</code>" }
        s += ".</p>\n<table>\n<thead><tr><th>Tile</th><th>Path</th><th class=\"n\">Bytes</th><th>SHA-256</th><th>Region of interest</th></tr></thead>\n<tbody>\n"
        for tile in slide.tiles {
            s += "<tr><td>\(e(tile.tile))</td><td>\(e(tile.path))</td><td class=\"n\">\(tile.bytes.map(String.init) ?? "—")</td>"
            s += "<td><code>\(e(tile.sha256 ?? "—"))</code></td><td>"
            if let roi = tile.regionOfInterest {
                s += "\(e(roi.path))" + (roi.sha256.map { " <code>\(e($0))</code>" } ?? "")
            }
            s += "</td></tr>\n"
        }
        s += "</tbody>\n</table>\n</details>\n"
        return s
    }

    static func tail(_ header: ReportJSON.Header, footer: ReportJSON.Footer) -> String {
        var s = "<section id=\"run\" class=\"slide\">\n<h2>The run</h2>\n"
        let t = footer.summary
        s += "<p>\(t.slides) slides (\(t.slidesScored) scored, \(t.slidesResumed) resumed), \(t.tiles) tiles (\(t.tilesFailed) failed), "
        s += "\(t.tumourCells) tumour cells of \(t.cells) cells. Scores: "
        s += t.scores.sorted { $0.key < $1.key }.map { "\(e($0.key)) × \($0.value)" }.joined(separator: ", ") + ".</p>\n"
        if !footer.errors.isEmpty {
            s += "<h3>Errors</h3>\n<table>\n<thead><tr><th>Path</th><th>Slide</th><th>Tile</th><th>Problem</th></tr></thead>\n<tbody>\n"
            for problem in footer.errors {
                s += "<tr><td>\(e(problem.path))</td><td>\(e(problem.slide ?? ""))</td><td>\(e(problem.tile ?? ""))</td>"
                s += "<td class=\"warn\">\(e(problem.message))</td></tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        s += "<h3>Provenance</h3>\n<table>\n<tbody>\n"
        let options = header.options
        var optionText = "jobs \(options.jobs), resume \(options.resume), geojson \(options.geojson), overlays \(options.overlays)"
        if let layout = options.layout { optionText += ", layout \(layout)" }
        if let mpp = options.mpp { optionText += ", mpp \(HTMLEscaping.fixed(mpp, 4))" + (options.overrideMpp ? " (overriding the files')" : "") }
        if let config = options.config { optionText += ", config \(config)" }
        let rows: [(String, String)] = [
            ("Tool", header.tool + " " + header.version),
            ("Started", header.startedAt),
            ("Finished", footer.finishedAt),
            ("Host", header.host),
            ("Invocation", header.invocation.joined(separator: " ")),
            ("Inputs", header.inputs.joined(separator: " ")),
            ("Manifest", header.manifest ?? "—"),
            ("Rule set", header.ruleSet.name + " — " + header.ruleSet.summary),
            ("Parameters SHA-256", header.parametersSHA256),
            ("Options", optionText),
        ]
        for (name, value) in rows { s += "<tr><th>\(e(name))</th><td>\(e(value))</td></tr>\n" }
        s += "</tbody>\n</table>\n"
        let parameters = (try? ReportJSON.encoder().encode(header.parameters)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        s += "<details>\n<summary>Every parameter (as in report.json)</summary>\n<pre>\(e(parameters))</pre>\n</details>\n"
        s += "<p class=\"muted\">Input files' sizes and SHA-256 are listed under each slide's provenance.</p>\n</section>\n"
        s += "<script>\n" + script + "\n</script>\n</body>\n</html>\n"
        return s
    }
}
