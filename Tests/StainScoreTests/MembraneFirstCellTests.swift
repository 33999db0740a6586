import Testing
@testable import StainScore

/// Membrane-first cells on a drawn membrane network (1 µm/px, flooded at that scale): a basin
/// closed by stained membrane is one cell whatever its shape, the territory of its largest
/// nucleus; a second nucleus in the same basin grows no cell.
@Suite("Cells that follow drawn membranes")
struct MembraneFirstCellTests {
    /// A 60 × 40 plane: membranes (DAB 0.6, 2 px wide) on the outer frame and at x = 20 and
    /// x = 40, so three 18 × 36 px cells: long columnar cells, far longer than 3.5 radii of
    /// their small nuclei. Cell A (left) holds one nucleus, cell B (middle) two — a large
    /// one and a small false one —, cell C (right) one.
    static func scene() -> (dab: Plane<Float>, nuclei: NucleusDetection, inside: [ClosedRange<Int>]) {
        let w = 60, h = 40
        var dab = Plane<Float>(width: w, height: h, repeating: 0.02)
        for y in 0..<h {
            for x in 0..<w where x < 2 || x >= w - 2 || y < 2 || y >= h - 2 || (x >= 19 && x <= 20) || (x >= 39 && x <= 40) {
                dab[x, y] = 0.6
            }
        }
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        var nuclei: [NucleusRegion] = []
        // (centre x, centre y, radius): A, B large, B small, C.
        for (i, (cx, cy, r)) in [(10, 10, 2), (30, 26, 3), (30, 8, 1), (50, 30, 2)].enumerated() {
            var area = 0
            for y in (cy - r)...(cy + r) { for x in (cx - r)...(cx + r) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                labels[x, y] = Int32(i + 1); area += 1
            } }
            nuclei.append(NucleusRegion(label: Int32(i + 1), x: Double(cx), y: Double(cy), areaPixels: area,
                                        meanHematoxylin: 0.3, elongation: 1))
        }
        let detection = NucleusDetection(labels: LabelImage(labels: labels, count: 4), nuclei: nuclei, threshold: 0.05)
        return (dab, detection, [2...18, 21...38, 41...57])
    }

    static func parameters(membraneFirst: Bool) -> CellParameters {
        var p = CellParameters()
        p.floodMicronsPerPixel = 0
        p.membraneFirst = membraneFirst
        return p
    }

    @Test("each closed basin is wholly its nucleus' cell, up to the membrane; the false nucleus grows nothing")
    func basins() {
        let (dab, nuclei, inside) = Self.scene()
        let cells = CellSegmenter.segment(dab: dab, nuclei: nuclei, pixelSize: 1, parameters: Self.parameters(membraneFirst: true))
        let owner: [Int32] = [1, 2, 4]  // A, B's large nucleus, C
        for (cell, columns) in zip(owner, inside) {
            for y in 2...37 { for x in columns { #expect(cells.labels[x, y] == cell, "(\(x), \(y))") } }
        }
        #expect(!cells.labels.values.contains(3), "the small nucleus in B has no territory")
        // Each boundary lies on a membrane: the membrane columns hold the two neighbours only.
        for y in 2...37 {
            #expect(Set([cells.labels[19, y], cells.labels[20, y]]).isSubset(of: [1, 2]))
            #expect(Set([cells.labels[39, y], cells.labels[40, y]]).isSubset(of: [2, 4]))
        }
    }

    @Test("without membrane first, the same cells are radius-limited disks and the false nucleus takes a share")
    func nucleusFirst() {
        let (dab, nuclei, _) = Self.scene()
        let cells = CellSegmenter.segment(dab: dab, nuclei: nuclei, pixelSize: 1, parameters: Self.parameters(membraneFirst: false))
        #expect(cells.labels.values.contains(3))
        #expect(cells.labels[10, 35] != 1, "cell A's far end is beyond 3.5 nucleus radii")
    }
}
