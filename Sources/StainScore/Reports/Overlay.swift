/// Overlay images a pathologist can check a call against: each cell outlined in its class
/// colour over the analysed tile.
public enum Overlay {
    /// Class colours: 0 blue, 1+ yellow, 2+ orange, 3+ red; excluded cells grey.
    public static func colour(_ cellClass: HER2Score?) -> (UInt8, UInt8, UInt8) {
        switch cellClass {
        case .some(.zero): (40, 90, 255)
        case .some(.one): (255, 230, 0)
        case .some(.two): (255, 140, 0)
        case .some(.three): (230, 0, 0)
        case .none: (150, 150, 150)
        }
    }

    /// The analysed tile with cell outlines coloured by class and nucleus outlines in black, and
    /// below it the legend strip of `OverlayLegend` (the image is that much taller than the
    /// analysed tile; its top part is pixel for pixel the tile). With a region of interest, the image outside it is faded towards white and only the cells
    /// in `counted` (labels of the cells that count) keep their class colour; the others are grey.
    public static func render(_ analysis: TileAnalysis, regionOfInterest: RegionOfInterest? = nil,
                              counted: Set<Int32>? = nil) -> RGBImage {
        var analysis = analysis
        if let counted {
            for i in analysis.labelClasses.indices where !counted.contains(Int32(i + 1)) { analysis.labelClasses[i] = nil }
        }
        var image = analysis.analysedImage
        if let roi = regionOfInterest {
            let r = max(1, analysis.reduction)
            let w = image.width, h = image.height
            image.pixels.withUnsafeMutableBufferPointer { px in
                for y in 0..<h {
                    for x in 0..<w where !roi.contains(x: Double(x * r + r / 2), y: Double(y * r + r / 2)) {
                        let p = 3 * (y * w + x)
                        for c in 0..<3 { px[p + c] = UInt8((Int(px[p + c]) + 2 * 255) / 3) }
                    }
                }
            }
        }
        let w = image.width, h = image.height
        let cells = analysis.cellLabels.labels.values, nuclei = analysis.nucleusLabels.labels.values
        image.pixels.withUnsafeMutableBufferPointer { px in
            for y in 0..<h {
                for x in 0..<w {
                    let p = y * w + x
                    let l = cells[p]
                    guard l > 0 else { continue }
                    let outline = (x > 0 && cells[p - 1] != l) || (x < w - 1 && cells[p + 1] != l)
                        || (y > 0 && cells[p - w] != l) || (y < h - 1 && cells[p + w] != l)
                    let n = nuclei[p]
                    let nucleusOutline = n > 0 && ((x > 0 && nuclei[p - 1] != n) || (x < w - 1 && nuclei[p + 1] != n)
                        || (y > 0 && nuclei[p - w] != n) || (y < h - 1 && nuclei[p + w] != n))
                    if outline {
                        let c = colour(analysis.labelClasses[Int(l) - 1])
                        px[3 * p] = c.0; px[3 * p + 1] = c.1; px[3 * p + 2] = c.2
                    } else if nucleusOutline {
                        px[3 * p] = 20; px[3 * p + 1] = 20; px[3 * p + 2] = 20
                    }
                }
            }
        }
        return OverlayLegend.appended(to: image)
    }
}
