import Foundation
@testable import StainScore
import Testing

/// The rendered pixels against the drawn truth: OD unmixed back from the 8-bit image.
@Suite("Synthesis rendering")
struct SynthesisRenderingTests {
    static func clean(_ target: SynthesisTarget, mpp: Double, seed: UInt64 = 11) -> SynthesisConfiguration {
        var c = SynthesisConfiguration()
        c.seed = seed
        c.target = target
        c.tileSize = 256
        c.tilesPerSlide = 1
        c.micronsPerPixel = mpp
        c.nuisances = .clean
        return c
    }

    /// DAB and H concentrations of every pixel: OD = −log10(I / I0), unmixed with the slide's vectors.
    static func unmix(_ image: RGBImage, recipe: SlideRecipe) -> (h: [Double], dab: [Double]) {
        var h = [Double](repeating: 0, count: image.pixelCount), d = h
        let g = recipe.nuisances.glass
        for k in 0..<image.pixelCount {
            func od(_ c: Int) -> Double { -log10(max(Double(image.pixels[k * 3 + c]), 0.5) / g[c]) }
            let u = recipe.stains.unmix((od(0), od(1), od(2)))
            h[k] = u.hematoxylin
            d[k] = u.dab
        }
        return (h, d)
    }

    /// Pixels on the centreline of a tumour cell's membrane (≤0.3 px from a bisector with a
    /// non-tumour neighbour, no other outline within reach), with the cell and whether its arc is stained there.
    static func centrelinePixels(_ slide: SynthesizedSlide) -> [(k: Int, seed: Int, stained: Bool)] {
        let layout = slide.layouts[0], staining = slide.stainings[0]
        let reach = (staining.halfWidth.max() ?? 0) + SynthStainPlanes.membraneRamp + 1
        var out: [(Int, Int, Bool)] = []
        for y in 0..<layout.height {
            for x in 0..<layout.width {
                let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                let i = layout.nearestSeed(x: fx, y: fy)
                guard layout.kind[i] == .tumour else { continue }
                let di = ((fx - layout.seedX[i]) * (fx - layout.seedX[i]) + (fy - layout.seedY[i]) * (fy - layout.seedY[i])).squareRoot()
                guard di < layout.maxRadius[i] - reach else { continue }
                let (gx, gy) = layout.gridPosition(i)
                var edges: [(Double, Int)] = []
                for j in layout.neighbourhood(gx: gx, gy: gy) where j != i {
                    let dj = ((fx - layout.seedX[j]) * (fx - layout.seedX[j]) + (fy - layout.seedY[j]) * (fy - layout.seedY[j])).squareRoot()
                    let sep = ((layout.seedX[j] - layout.seedX[i]) * (layout.seedX[j] - layout.seedX[i])
                        + (layout.seedY[j] - layout.seedY[i]) * (layout.seedY[j] - layout.seedY[i])).squareRoot()
                    edges.append(((dj * dj - di * di) / (2 * sep), j))
                }
                edges.sort { $0.0 < $1.0 }
                guard edges.count >= 2, edges[0].0 <= 0.3, edges[1].0 > reach, layout.kind[edges[0].1] != .tumour else { continue }
                let bin = MembraneArcs.bin(ofAngle: atan2(fy - layout.seedY[i], fx - layout.seedX[i]))
                // Bins on either side must agree, so the arc does not end at this pixel.
                let b0 = staining.stained[i * 128 + (bin + 127) % 128], b1 = staining.stained[i * 128 + bin], b2 = staining.stained[i * 128 + (bin + 1) % 128]
                guard b0 == b1, b1 == b2 else { continue }
                out.append((y * layout.width + x, i, b1 != 0))
            }
        }
        return out
    }

    @Test("membrane DAB OD on stained arcs equals the drawn intensity; unstained arcs carry none", arguments: [0.5, 0.25])
    func membraneOD(mpp: Double) throws {
        var checkedStained = 0, checkedUnstained = 0
        for (index, target) in [SynthesisTarget.one, .two, .three].enumerated() {
            let slide = try SlideSynthesizer.slide(index, configuration: Self.clean(target, mpp: mpp))
            let image = slide.renderTile(0)
            let (_, dab) = Self.unmix(image, recipe: slide.recipe)
            for (k, seed, stained) in Self.centrelinePixels(slide) {
                let drawn = slide.stainings[0].intensity[seed]
                if stained && drawn > 0 {
                    // 8-bit quantisation of a transmission ≥ 10^-1.2 moves OD by < 0.02.
                    #expect(abs(dab[k] - drawn) <= 0.03, "pixel \(k): DAB \(dab[k]) vs drawn \(drawn)")
                    checkedStained += 1
                } else {
                    #expect(abs(dab[k]) <= 0.03, "unstained pixel \(k): DAB \(dab[k])")
                    checkedUnstained += 1
                }
            }
        }
        #expect(checkedStained > 50 && checkedUnstained > 20, "\(checkedStained) stained, \(checkedUnstained) unstained pixels")
    }

    @Test("nucleus diameters in µm are in range at 0.25 and 0.5 µm/px", arguments: [0.5, 0.25])
    func nucleusSizes(mpp: Double) throws {
        var c = Self.clean(.null, mpp: mpp)
        c.tileSize = Int(128 / mpp)  // 128 µm at either pixel size
        let slide = try SlideSynthesizer.slide(0, configuration: c)
        let image = slide.renderTile(0)
        let (h, _) = Self.unmix(image, recipe: slide.recipe)
        let um = 1 / mpp
        var tumour: [Double] = [], lymphocytes: [Double] = []
        func diameter(x cx: Double, y cy: Double, threshold: Double) -> Double? {
            var radii: [Double] = []
            for a in 0..<16 {
                let theta = Double(a) * Double.pi / 8
                var r = 0.0
                while r < 8 * um {
                    let x = Int(cx + r * cos(theta)), y = Int(cy + r * sin(theta))
                    guard x >= 0, y >= 0, x < image.width, y < image.height else { return nil }
                    if h[y * image.width + x] < threshold { break }
                    r += 0.25
                }
                radii.append(r)
            }
            radii.sort()
            return 2 * radii[8] * mpp
        }
        let t = slide.recipe.tissue
        for cell in slide.cells where cell.x > 8 * um && cell.y > 8 * um && cell.x < Double(c.tileSize) - 8 * um && cell.y < Double(c.tileSize) - 8 * um {
            switch cell.kind {
            case .tumour:
                if let d = diameter(x: cell.x, y: cell.y, threshold: (t.nucleusH * 0.5 + t.cytoplasmH * 1.3) / 2 + 0.02) { tumour.append(d) }
            case .lymphocyte:
                if let d = diameter(x: cell.x, y: cell.y, threshold: t.lymphocyteH / 2) { lymphocytes.append(d) }
            case .fibroblast: break
            }
        }
        #expect(tumour.count >= 10)
        let inRange = tumour.filter { (6.5...11.5).contains($0) }.count
        #expect(Double(inRange) >= 0.9 * Double(tumour.count), "tumour nucleus diameters (µm): \(tumour.sorted())")
        let mean = tumour.reduce(0, +) / Double(max(1, tumour.count))
        #expect((7.5...10.5).contains(mean), "mean \(mean) µm")
        for d in lymphocytes { #expect((4.5...7.5).contains(d), "lymphocyte \(d) µm") }
    }

    @Test("same slide renders the same pixels; another seed differs")
    func deterministic() throws {
        var c = Self.clean(.three, mpp: 0.5)
        c.nuisances = NuisanceSettings()
        let a = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        let b = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        #expect(a == b)
        c.seed += 1
        let other = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        #expect(a.pixels != other.pixels)
        #expect(a.pixelSize?.micronsPerPixel == 0.5)
    }

    @Test("stain vectors: unit length, rotation by the asked angle, unmix inverts mixing")
    func stainVectors() {
        var rng = SplitMix64(seed: 3)
        let base = StainVectors.ruifrokJohnston
        let turned = base.rotated(byDegrees: 3, rng: &rng)
        #expect(abs(StainVectors.angleDegrees(base.hematoxylin, turned.hematoxylin) - 3) < 0.05)
        #expect(abs(StainVectors.angleDegrees(base.dab, turned.dab) - 3) < 0.05)
        let od = (0..<3).map { 0.3 * turned.hematoxylin[$0] + 0.7 * turned.dab[$0] }
        let u = turned.unmix((od[0], od[1], od[2]))
        #expect(abs(u.hematoxylin - 0.3) < 1e-9 && abs(u.dab - 0.7) < 1e-9 && abs(u.residual) < 1e-9)
    }
}
