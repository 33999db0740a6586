import Foundation
import StainScore

/// The human-readable rendering of a `PointValidationReport` (stdout of `ihc-score validate --points`).
enum PointValidationTable {
    static func render(_ r: PointValidationReport) -> String {
        let number = ValidationTable.number
        var out: [String] = []
        out.append("point validation: \(r.truthImages) truth images, \(r.comparedImages) compared (ihc-score \(r.toolVersion))")
        if !r.missingPredictions.isEmpty { out.append("missing predictions: \(r.missingPredictions.joined(separator: ", "))") }
        if !r.notCompared.isEmpty { out.append("not compared: \(r.notCompared.joined(separator: ", "))") }
        out.append("truth points matched one-to-one to detected cells (tumour or excluded) within "
            + "\(number(r.parameters.matchDistanceMicrons, 1)) µm, nearest pairs first; "
            + "\(r.pointsLeftOutAtBorder) points nearer than \(number(r.parameters.borderMarginMicrons, 1)) µm to the image edge left out")
        out.append("")
        var rows = [["LABEL", "POINTS", "FOUND", "FOUND AS TUMOUR", "FRACTION FOUND", "FRACTION FOUND AS TUMOUR"]]
        for f in r.labels + (r.labels.count > 1 ? [r.total] : []) {
            rows.append([f.label, "\(f.points)", "\(f.found)", "\(f.foundTumour)", number(f.foundFraction, 3), number(f.foundTumourFraction, 3)])
        }
        out.append(Output.table(rows))

        out.append("")
        if let p = r.precision {
            out.append("precision over \(p.images) image(s) with every nucleus marked: a detected cell is right when its centre "
                + "lies on a truth nucleus or within \(number(r.parameters.matchDistanceMicrons, 1)) µm of a truth point; "
                + "\(p.leftOutAtBorder) cells nearer than \(number(r.parameters.borderMarginMicrons, 1)) µm to the edge left out")
            out.append(Output.table([
                ["CELLS", "DETECTED", "ON A NUCLEUS", "PRECISION"],
                ["tumour", "\(p.tumourCells)", "\(p.tumourCellsOnNuclei)", number(p.tumourPrecision, 3)],
                ["all", "\(p.cells)", "\(p.cellsOnNuclei)", number(p.cellPrecision, 3)],
            ]))
        } else {
            out.append("precision: n/a (no instance masks: the truth need not mark every nucleus)")
        }

        if !r.images.isEmpty {
            out.append("")
            let labels = r.labels.map(\.label)
            var header = ["IMAGE", "MPP", "CELLS", "TUMOUR CELLS", "POINTS", "FOUND", "AS TUMOUR"]
            if labels.count > 1 { header += labels.map { "FOUND \($0.uppercased())" } }
            let withPrecision = r.images.contains { $0.precision != nil }
            if withPrecision { header += ["TUMOUR PRECISION", "PRECISION"] }
            var imageRows = [header]
            for e in r.images {
                var row = [e.image, number(e.mpp, 4), "\(e.detectedCells)", "\(e.detectedTumourCells)", "\(e.total.points)",
                           number(e.total.foundFraction, 3), number(e.total.foundTumourFraction, 3)]
                if labels.count > 1 {
                    row += labels.map { label in
                        guard let f = e.labels.first(where: { $0.label == label }) else { return "-" }
                        return "\(f.found)/\(f.points)"
                    }
                }
                if withPrecision {
                    row += [number(e.precision?.tumourPrecision, 3), number(e.precision?.cellPrecision, 3)]
                }
                imageRows.append(row)
            }
            out.append(Output.table(imageRows))
        }
        return out.joined(separator: "\n")
    }
}
