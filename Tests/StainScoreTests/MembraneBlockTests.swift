import Foundation
import Testing
@testable import StainScore

/// The membrane passes over 2×2 label blocks (`MembraneBlockPasses`, taken when
/// `LabelImage.blocks` is set) against the pixel-by-pixel passes and the reference
/// implementation, and the segmenter's promise that `blocks` is set only when it is exact.
@Suite("Membrane passes over label blocks")
struct MembraneBlockTests {
    typealias Base = MembraneReferenceTests

    /// Coarse labels: the scene's fine cell and nucleus labels sampled at every second pixel (so
    /// they keep its Voronoi territories, holes and empty labels), then spread back over 2×2
    /// blocks cut at odd right and bottom edges. The block passes run only when both are blocks.
    static func blockInputs(_ scene: Base.Scene, seed: UInt64) -> (blocks: Base.Inputs, plain: Base.Inputs) {
        var inputs = Base.inputs(scene, seed: seed)
        let coarse = Downsample.sample(inputs.cells.labels, factor: 2)
        let fine = Upsample.blocks(coarse, factor: 2, width: scene.width, height: scene.height)
        let coarseNuclei = Downsample.sample(inputs.nuclei.labels.labels, factor: 2)
        let fineNuclei = Upsample.blocks(coarseNuclei, factor: 2, width: scene.width, height: scene.height)
        inputs.nuclei.labels = LabelImage(labels: fineNuclei, count: inputs.nuclei.labels.count)
        var plain = inputs
        plain.cells = LabelImage(labels: fine, count: inputs.cells.count)
        inputs.cells = LabelImage(labels: fine, count: inputs.cells.count, blocks: LabelBlocks(labels: coarse, factor: 2))
        inputs.nuclei.labels.blocks = LabelBlocks(labels: coarseNuclei, factor: 2)
        return (inputs, plain)
    }

    @Test("every field of every profile equals the pixel passes and the reference", arguments: Base.scenes)
    func sameAsPixelPasses(_ scene: Base.Scene) {
        let seeds: [UInt64] = scene.width * scene.height > 20_000 ? [7] : [7, 8, 9]
        for seed in seeds {
            let (blocks, plain) = Self.blockInputs(scene, seed: UInt64(scene.width * 1000 + scene.height) &* 17 &+ seed)
            #expect(blocks.cells == plain.cells)  // equality ignores the blocks
            for settings in Base.settings {
                func run(_ inputs: Base.Inputs, reference: Bool) -> [MembraneProfile] {
                    Base.measure(inputs, settings, maximumRadiusPixels: scene.maximumRadiusPixels, pixelSize: scene.pixelSize,
                                 reference: reference)
                }
                let fast = run(blocks, reference: false)
                let pixel = run(plain, reference: false)
                let slow = run(plain, reference: true)
                let a = Base.differences(fast, pixel), b = Base.differences(fast, slow)
                #expect(a.isEmpty, "seed \(seed), \(settings): \(a.count) differences from the pixel passes, first \(a.prefix(5))")
                #expect(b.isEmpty, "seed \(seed), \(settings): \(b.count) differences from the reference, first \(b.prefix(5))")
                // Cell blocks without nucleus blocks: the pixel passes, the same profiles.
                var cellBlocksOnly = blocks
                cellBlocksOnly.nuclei.labels.blocks = nil
                let c = Base.differences(run(cellBlocksOnly, reference: false), pixel)
                #expect(c.isEmpty, "seed \(seed), \(settings): \(c.count) differences without nucleus blocks, first \(c.prefix(5))")
            }
        }
    }

    /// Equality of the block and pixel results proves little if the block scenes are trivial.
    @Test("the tile-like block scene has measured, stained, bordered and attributed cells")
    func coverage() throws {
        let scene = try #require(Base.scenes.last)
        let (blocks, _) = Self.blockInputs(scene, seed: 5)
        let settings = Base.settings[0]
        let profiles = Base.measure(blocks, settings, maximumRadiusPixels: scene.maximumRadiusPixels,
                                    pixelSize: scene.pixelSize, reference: false)
        #expect(profiles.contains { $0.touchesBorder })
        #expect(profiles.contains { !$0.touchesBorder && $0.staining.completeness == 1 })
        #expect(profiles.contains { !$0.touchesBorder && $0.staining.completeness > 0 && $0.staining.completeness < 1 })
        #expect(profiles.contains { $0.cellAreaPixels == 0 })
        #expect(profiles.contains { $0.cytoplasmOD != 0 && $0.meanOD != 0 })
        var noAttribution = settings.parameters
        noAttribution.attributeSharedMembranes = false
        let without = Base.measure(blocks, Base.Settings(parameters: noAttribution, threshold: settings.threshold),
                                   maximumRadiusPixels: scene.maximumRadiusPixels, pixelSize: scene.pixelSize, reference: false)
        #expect(zip(profiles, without).contains { $0.staining.completeness != $1.staining.completeness },
                "attribution never changed a cell")
    }

    struct TileCase: Sendable, CustomTestStringConvertible {
        var size: Int
        var mpp: Double
        var nucleusScale: Double
        var expectBlocks: Bool
        var testDescription: String { "\(size)² at \(mpp) µm/px, nuclei at \(nucleusScale) µm/px" }
    }

    /// At 0.5 µm/px with the default scales the flood's 2×2 blocks are the cell labels (and no
    /// plane is made); with the nuclei found at full resolution their pixels are written over
    /// the blocks, which then are not exact and must not be offered. At 0.25 µm/px the blocks
    /// are 4×4.
    @Test("the segmenter offers blocks only when they are exactly the labels", arguments: [
        TileCase(size: 257, mpp: 0.5, nucleusScale: 1, expectBlocks: true),
        TileCase(size: 200, mpp: 0.5, nucleusScale: 1, expectBlocks: true),
        TileCase(size: 257, mpp: 0.5, nucleusScale: 0, expectBlocks: false),
        TileCase(size: 301, mpp: 0.25, nucleusScale: 1, expectBlocks: true),
    ])
    func segmenterBlocks(_ t: TileCase) throws {
        var c = SynthesisConfiguration()
        c.seed = 41
        c.target = .two
        c.tileSize = t.size
        c.tilesPerSlide = 1
        c.micronsPerPixel = t.mpp
        let image = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        let (background, _) = BackgroundEstimation.estimate(image)
        let planes = StainSeparation.separate(image, background: background, stains: .ruifrokJohnstonHDAB, tissue: TissueParameters())
        var np = NucleusParameters()
        np.detectionMicronsPerPixel = t.nucleusScale
        let nuclei = NucleusDetector.detect(hematoxylin: planes.hematoxylin, dab: planes.dab, tissue: planes.tissue,
                                            pixelSize: t.mpp, parameters: np)
        #expect(nuclei.nuclei.count > 5)
        let cells = CellSegmenter.segment(dab: planes.dab, nuclei: nuclei, pixelSize: t.mpp, parameters: CellParameters())
        #expect((cells.blocks != nil) == t.expectBlocks)
        if let b = cells.blocks { #expect(b.factor == Int((1 / t.mpp).rounded())) }
        #expect(cells.width == image.width && cells.height == image.height)
        // Block-only labels are the blocks by construction; what must hold either way is that
        // every nucleus pixel lies in its own cell, and that each nucleus' area is its pixels.
        let cellPlane = cells.labels.values, nucleusPlane = nuclei.labels.labels.values
        #expect(zip(nucleusPlane, cellPlane).allSatisfy { n, c in n <= 0 || n == c })
        var area = [Int](repeating: 0, count: nuclei.nuclei.count + 1)
        for n in nucleusPlane where n > 0 { area[Int(n)] += 1 }
        #expect(nuclei.nuclei.allSatisfy { area[Int($0.label)] == $0.areaPixels })
        // The detector's nucleus labels are blocks whenever it worked on reduced planes.
        #expect((nuclei.labels.blocks != nil) == (t.nucleusScale > 0))
        // Whichever passes run, the profiles are those of the labels alone.
        var plain = cells
        plain.blocks = nil
        let maximum = CellParameters().maximumRadiusMicrons / t.mpp
        func measure(_ l: LabelImage) -> [MembraneProfile] {
            MembraneMeasurer.measure(cells: l, nuclei: nuclei, dab: planes.dab, tissue: planes.tissue, pixelSize: t.mpp,
                                     stainedThreshold: 0.1, maximumRadiusPixels: maximum, parameters: MembraneParameters())
        }
        let found = Base.differences(measure(cells), measure(plain))
        #expect(found.isEmpty, "\(found.count) differences, first \(found.prefix(5))")
    }
}
