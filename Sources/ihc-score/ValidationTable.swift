import Foundation
import StainScore

/// The human-readable rendering of a `ValidationReport` (stdout of `ihc-score validate`).
enum ValidationTable {
    static func render(_ r: ValidationReport) -> String {
        var out: [String] = []
        let s = r.slides
        out.append("validation: \(r.truthSlides) truth slides, \(r.predictedSlides) predicted, \(s.score.n) compared (ihc-score \(r.toolVersion))")
        if !r.truthRuleSets.isEmpty || !r.predictionRuleSets.isEmpty {
            out.append("rule sets: truth \(list(r.truthRuleSets.map(\.rawValue))), predictions \(list(r.predictionRuleSets.map(\.rawValue)))")
        }
        if !s.missingPredictions.isEmpty { out.append("missing predictions: \(s.missingPredictions.joined(separator: ", "))") }
        if !s.unlabelledPredictions.isEmpty { out.append("predictions without truth: \(s.unlabelledPredictions.joined(separator: ", "))") }

        out.append("")
        out.append("score confusion (rows truth, columns predicted)")
        out.append(matrix(s.scoreConfusion))
        out.append("")
        out.append(agreementLines(s.score, what: "slides").joined(separator: "\n"))
        out.append("")
        out.append(perClass(s.score))

        out.append("")
        if s.category.n > 0 {
            out.append("category agreement: \(fraction(s.category.exactAgreement, s.categoryConfusion.agreements, s.category.n)) "
                + "of slides with a category on both sides; κ \(number(s.category.kappa))\(s.category.kappaDegenerate ? " (one class only: 1 by convention)" : "")")
            out.append(matrix(s.categoryConfusion))
        } else {
            out.append("category agreement: n/a (no slide has a category on both sides)")
        }
        out.append("")
        out.append("ISH reflex (2+) calls: truth \(s.reflexTruth), predicted \(s.reflexPredicted), both \(s.reflexBoth)")
        if s.percentSlides > 0 {
            out.append("percentage MAE over \(s.percentSlides) slides (points): ≥1+ \(number(s.maePercentOnePlusOrMore, 2)), "
                + "≥2+ \(number(s.maePercentTwoPlusOrMore, 2)), 3+ \(number(s.maePercentThree, 2))")
        } else {
            out.append("percentage MAE: n/a (the truth has no percentages)")
        }

        if !s.slides.isEmpty {
            out.append("")
            var rows = [["SLIDE", "TRUTH", "PREDICTED", "", "TRUTH CATEGORY", "PREDICTED CATEGORY", "FLAGS"]]
            for c in s.slides {
                rows.append([c.slide, c.truthScore.label, c.predictedScore.label, c.truthScore == c.predictedScore ? "" : "≠",
                             c.truthCategory?.rawValue ?? "-", c.predictedCategory?.rawValue ?? "-",
                             c.flags.isEmpty ? "-" : c.flags.joined(separator: ",")])
            }
            out.append(Output.table(rows))
        }

        out.append("")
        if let c = r.cells {
            out.append("cells: \(c.tiles) tiles; tumour nuclei matched one-to-one within \(number(r.parameters.matchDistanceMicrons, 1)) µm "
                + "(greedy by distance); border margin \(number(r.parameters.borderMarginMicrons, 1)) µm")
            out.append("detection: truth \(c.truthTumourCells), predicted \(c.predictedTumourCells), matched \(c.matched); "
                + "precision \(number(c.precision)), recall \(number(c.recall)), F1 \(number(c.f1))")
            out.append("unmatched: \(c.falseNegatives) truth (FN), \(c.falsePositives) predicted (FP; \(c.falsePositivesOnNonTumour) on lymphocytes/fibroblasts); "
                + "left out at the border: \(c.borderExcludedTruth) truth, \(c.borderExcludedPredictions) predicted")
            out.append("cell class accuracy \(fraction(c.classes.exactAgreement, c.classConfusion.agreements, c.classes.n)), "
                + "κ \(number(c.classes.kappa)), quadratic κ \(number(c.classes.quadraticWeightedKappa))")
            out.append("MAE on matched cells: completeness \(number(c.maeCompleteness)), intensity \(number(c.maeIntensity)) log10 OD, "
                + "membrane width \(number(c.maeMembraneWidthMicrons)) µm; mean match distance \(number(c.meanMatchDistanceMicrons, 2)) µm")
            out.append("cell class confusion (rows truth, columns predicted)")
            out.append(matrix(c.classConfusion))
            out.append("")
            var rows = [["SLIDE", "MPP", "TILES", "TRUTH", "PREDICTED", "MATCHED", "PRECISION", "RECALL", "F1", "CLASS ACC"]]
            for e in r.cellsBySlide {
                let m = e.metrics
                rows.append([e.slide, number(e.mpp, 4), "\(m.tiles)", "\(m.truthTumourCells)", "\(m.predictedTumourCells)", "\(m.matched)",
                             number(m.precision), number(m.recall), number(m.f1), percent(m.classes.exactAgreement)])
            }
            out.append(Output.table(rows))
        } else {
            out.append("cells: n/a (no cell truth, or no slide with cells on both sides)")
        }
        return out.joined(separator: "\n")
    }

    static func agreementLines(_ a: AgreementSummary, what: String) -> [String] {
        let agreements = a.perClass.reduce(0) { $0 + $1.correct }
        let degenerate = a.kappaDegenerate ? " (one class only on both sides: κ = 1 by convention)" : ""
        return [
            "exact agreement       \(fraction(a.exactAgreement, agreements, a.n)) \(what)",
            "κ (unweighted)        \(number(a.kappa))\(degenerate)",
            "κ (quadratic weights) \(number(a.quadraticWeightedKappa))",
            "chance agreement p_e  \(number(a.expectedAgreement))",
        ]
    }

    static func perClass(_ a: AgreementSummary) -> String {
        var rows = [["CLASS", "TRUTH", "PREDICTED", "CORRECT", "RECALL", "PRECISION"]]
        for c in a.perClass {
            rows.append([c.label, "\(c.truth)", "\(c.predicted)", "\(c.correct)", number(c.recall), number(c.precision)])
        }
        return Output.table(rows)
    }

    static func matrix(_ m: ConfusionMatrix) -> String {
        var rows = [["truth \\ predicted"] + m.labels + ["total"]]
        let columns = m.columnTotals
        for (i, label) in m.labels.enumerated() {
            rows.append([label] + m.counts[i].map { "\($0)" } + ["\(m.rowTotals[i])"])
        }
        rows.append(["total"] + columns.map { "\($0)" } + ["\(m.total)"])
        return Output.table(rows)
    }

    static func number(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v else { return "n/a" }
        return String(format: "%.\(digits)f", v)
    }

    static func percent(_ v: Double?) -> String {
        guard let v else { return "n/a" }
        return String(format: "%.1f%%", 100 * v)
    }

    static func fraction(_ v: Double?, _ k: Int, _ n: Int) -> String {
        guard let v else { return "n/a" }
        return String(format: "%.1f%% (%d/%d)", 100 * v, k, n)
    }

    static func list(_ v: [String]) -> String { v.isEmpty ? "-" : v.joined(separator: ", ") }
}
