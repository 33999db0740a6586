import Foundation
import Testing
import StainScore

/// Draws cells on glass at 0.5 µm/px: nuclei as hematoxylin disks, membranes as DAB rings.
struct DrawnCell {
    var x: Double, y: Double          // centre, px
    var nucleusRadius: Double         // px
    var membraneRadius: Double        // px
    var membraneOD: Double
    var gap: ClosedRange<Double>?     // unstained angular range, radians in [-π, π]
}

func draw(_ cells: [DrawnCell], width: Int, height: Int, cytoplasmH: Double = 0.06) -> RGBImage {
    var image = RGBImage(width: width, height: height, fill: (250, 250, 250))
    for y in 0..<height {
        for x in 0..<width {
            var h = 0.0, d = 0.0, inside = false
            for c in cells {
                let dx = Double(x) - c.x, dy = Double(y) - c.y
                let r = (dx * dx + dy * dy).squareRoot()
                if r <= c.membraneRadius + 1 { inside = true }
                if r <= c.nucleusRadius { h = max(h, 0.5) }
                if abs(r - c.membraneRadius) <= 0.75 {
                    let angle = atan2(dy, dx)
                    if !(c.gap?.contains(angle) ?? false) { d = max(d, c.membraneOD) }
                }
            }
            if inside && h == 0 { h = cytoplasmH }
            image[x, y] = beerLambert(h: h, dab: d)
        }
    }
    image.pixelSize = PixelSize(micronsPerPixel: 0.5, source: .synthetic)
    return image
}

@Suite("Segmentation and membrane measurement")
struct SegmentationTests {
    static let mpp = 0.5

    @Test("touching nuclei are split, each found at its centre")
    func touchingNuclei() {
        // Nuclei 9 µm across (radius 9 px), centres 15 px = 7.5 µm apart: they overlap.
        // Unstained cytoplasm (radius 16 px) around each, as in tissue.
        let cells = [DrawnCell(x: 30, y: 40, nucleusRadius: 9, membraneRadius: 16, membraneOD: 0),
                     DrawnCell(x: 45, y: 40, nucleusRadius: 9, membraneRadius: 16, membraneOD: 0),
                     DrawnCell(x: 38, y: 70, nucleusRadius: 9, membraneRadius: 16, membraneOD: 0)]
        let image = draw(cells, width: 90, height: 100)
        let planes = StainSeparation.separate(image, background: SIMD3(250, 250, 250), stains: .ruifrokJohnstonHDAB,
                                              tissue: TissueParameters())
        let nuclei = NucleusDetector.detect(hematoxylin: planes.hematoxylin, dab: planes.dab, tissue: planes.tissue,
                                            pixelSize: Self.mpp, parameters: NucleusParameters())
        #expect(nuclei.nuclei.count == 3)
        for c in cells {
            var nearest = 99.0
            for n in nuclei.nuclei {
                let dx = n.x - c.x, dy = n.y - c.y
                nearest = min(nearest, (dx * dx + dy * dy).squareRoot())
            }
            #expect(nearest < 2.5, "nucleus at (\(c.x), \(c.y)) found \(nearest) px away")
        }
        let areas = nuclei.nuclei.map { Double($0.areaPixels) * Self.mpp * Self.mpp }
        // Each disk is π·4.5² ≈ 64 µm²; the overlapping pair shares its lens between them.
        #expect(areas.allSatisfy { $0 > 40 && $0 < 80 }, "\(areas)")
    }

    static func measureOne(_ cell: DrawnCell) -> (MembraneStaining, HER2Score) {
        let image = draw([cell], width: 80, height: 80)
        let planes = StainSeparation.separate(image, background: SIMD3(250, 250, 250), stains: .ruifrokJohnstonHDAB,
                                              tissue: TissueParameters())
        let nuclei = NucleusDetector.detect(hematoxylin: planes.hematoxylin, dab: planes.dab, tissue: planes.tissue,
                                            pixelSize: mpp, parameters: NucleusParameters())
        let cells = CellSegmenter.segment(dab: planes.dab, nuclei: nuclei, pixelSize: mpp,
                                          parameters: CellParameters())
        let profiles = MembraneMeasurer.measure(cells: cells, nuclei: nuclei, dab: planes.dab, tissue: planes.tissue, pixelSize: mpp,
                                                stainedThreshold: 0.10, maximumRadiusPixels: 24, parameters: MembraneParameters())
        guard nuclei.nuclei.count == 1, let profile = profiles.first else {
            Issue.record("expected one cell, found \(nuclei.nuclei.count)")
            return (MembraneStaining(intensity: 0, completeness: 0, longestArc: 0), .zero)
        }
        return (profile.staining, CellClassificationParameters().classify(profile.staining, rules: .breast2018))
    }

    struct RingCase: Sendable, CustomTestStringConvertible {
        var od: Double
        var gapFraction: Double
        var testDescription: String { "ring OD \(od), gap \(Int(gapFraction * 100))%" }
    }

    @Test("completeness and intensity of drawn rings with known gaps",
          arguments: [RingCase(od: 0.8, gapFraction: 0), RingCase(od: 0.4, gapFraction: 0.25), RingCase(od: 0.2, gapFraction: 0.5),
                      RingCase(od: 0.6, gapFraction: 0.75), RingCase(od: 0, gapFraction: 1)])
    func rings(_ c: RingCase) {
        let half = c.gapFraction * .pi
        let cell = DrawnCell(x: 40, y: 40, nucleusRadius: 9, membraneRadius: 15, membraneOD: c.od,
                             gap: c.gapFraction > 0 ? (-half)...(half) : nil)
        let (m, _) = Self.measureOne(cell)
        let expected = 1 - c.gapFraction
        // Sector resolution is 1/36 of the circumference; allow one sector each side.
        #expect(abs(m.completeness - expected) <= 2.0 / 36 + 1e-9, "completeness \(m.completeness) vs \(expected)")
        #expect(abs(m.longestArc - expected) <= 2.0 / 36 + 1e-9)
        if c.od > 0 {
            #expect(abs(m.intensity - c.od) < 0.1 * c.od + 0.02, "intensity \(m.intensity) vs \(c.od)")
        } else {
            #expect(m.intensity == 0)
        }
    }

    @Test("drawn cells get the class their staining defines")
    func classes() {
        #expect(Self.measureOne(DrawnCell(x: 40, y: 40, nucleusRadius: 9, membraneRadius: 15, membraneOD: 0.8, gap: nil)).1 == .three)
        #expect(Self.measureOne(DrawnCell(x: 40, y: 40, nucleusRadius: 9, membraneRadius: 15, membraneOD: 0.38, gap: nil)).1 == .two)
        #expect(Self.measureOne(DrawnCell(x: 40, y: 40, nucleusRadius: 9, membraneRadius: 15, membraneOD: 0.16, gap: -1.5...1.5)).1 == .one)
        #expect(Self.measureOne(DrawnCell(x: 40, y: 40, nucleusRadius: 9, membraneRadius: 15, membraneOD: 0, gap: nil)).1 == .zero)
    }

    @Test("a tile is analysed the same way twice (deterministic)")
    func deterministic() {
        let cells = (0..<12).map { i in
            DrawnCell(x: 25 + Double(i % 4) * 32, y: 25 + Double(i / 4) * 32, nucleusRadius: 8, membraneRadius: 14,
                      membraneOD: [0, 0.15, 0.35, 0.8][i % 4], gap: i % 3 == 0 ? -1...1 : nil)
        }
        let image = draw(cells, width: 150, height: 110)
        let a = TileAnalyzer.analyze(image, name: "t", pixelSize: image.pixelSize!, stains: .ruifrokJohnstonHDAB, parameters: AnalysisParameters())
        let b = TileAnalyzer.analyze(image, name: "t", pixelSize: image.pixelSize!, stains: .ruifrokJohnstonHDAB, parameters: AnalysisParameters())
        #expect(a.cells == b.cells)
        #expect(a.cellLabels == b.cellLabels)
    }
}
