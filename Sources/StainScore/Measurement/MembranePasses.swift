/// Running tallies of one cell in the membrane passes.
struct MembraneCellTally {
    /// The cell's nucleus centre, pixels (its lookup tables are centred there).
    var centreX = 0
    var centreY = 0
    var area = 0
    /// The territory reaches the image border.
    var border = false
    /// Pass 2's sums: a pass copies them to a local over a run of the cell (registers) and
    /// back after it, adding pixel by pixel in raster order meanwhile.
    var sums = MembraneCellSums()
}

/// The sums pass 2 forms per cell.
struct MembraneCellSums {
    /// DAB over the outline pixels (those with a 4-neighbour outside the cell).
    var bandSum = 0.0
    var bandCount = 0
    /// DAB over the inner part outside the nucleus.
    var cytoSum = 0.0
    var cytoCount = 0
    /// Outer-part pixels at or above the stained threshold.
    var stainedOuter = 0
}

/// Running tallies of one angular sector of one cell, side by side so that a pixel's update
/// touches one cache line.
struct MembraneSectorTally {
    /// Outline distance: the farthest tissue pixel of the sector (pass 1).
    var outer: Float = 0
    /// The radius where the outer part begins (set between the passes).
    var inner: Float = 0
    /// The two highest DAB values of the outer part and just across the outline (pass 2).
    var peak: Float = 0
    var second: Float = 0
    /// The cell across the outline at the farthest pixel (0: none).
    var neighbour: Int32 = 0

    /// Takes `v` into the two highest values, without a branch (which the pixels of a sector
    /// mispredict half the time): a value above the peak moves the peak to second place,
    /// otherwise it may take second place. Ties and NaN change nothing.
    @inline(__always) mutating func record(_ v: Float) {
        let runnerUp = v > peak ? peak : v
        peak = v > peak ? v : peak
        second = runnerUp > second ? runnerUp : second
    }

    /// Pass 2 at a tissue pixel of this sector at radius `r` with DAB `v`, for both passes: the
    /// cell across the outline at the first pixel at the outline distance (`across`, asked only
    /// then); in the outer part the peaks and the stained count, in the inner part outside the
    /// nucleus (`outsideNucleus`, asked only there) the cytoplasm sums.
    @inline(__always) mutating func take(radius r: Float, dab v: Float, stainedThreshold threshold: Float,
                                         sums: inout MembraneCellSums, across: () -> Int32, outsideNucleus: () -> Bool) {
        if r == outer && neighbour < 0 { neighbour = across() }
        if r >= inner {
            record(v)
            sums.stainedOuter &+= v >= threshold ? 1 : 0  // no jump: near the threshold it is a coin toss
        } else if outsideNucleus() {
            sums.cytoSum += Double(v); sums.cytoCount &+= 1
        }
    }
}

/// The two pixel passes of `MembraneMeasurer`, over raw buffers.
///
/// Both walk each row as runs of one label: the label's data are looked up once per run, and
/// the lookup-table columns are clipped once per run instead of checked per pixel. Pixels are
/// still visited in raster order, so every sum is formed in the order of a pixel-by-pixel walk.
enum MembranePasses {
    /// Sizes shared by both passes. Labels are framed: `(width + 2) × (height + 2)` with a
    /// border of 0, so a neighbour never needs a bounds check.
    struct Geometry {
        var width: Int
        var height: Int
        var sectors: Int
        /// Lookup tables are `side × side`, centred at (reach, reach).
        var reach: Int
        var side: Int
    }

    /// The lookup-table row of a cell at image row y, as the table index of pixel x = 0, and
    /// the columns [lo, hi) the table covers; nil when row y lies outside it.
    @inline(__always)
    static func tableRow(_ c: UnsafeMutablePointer<MembraneCellTally>, _ l: Int, _ y: Int, _ g: Geometry) -> (base: Int, lo: Int, hi: Int)? {
        let oy = y &- c[l].centreY &+ g.reach
        if oy < 0 || oy >= g.side { return nil }
        let x = c[l].centreX
        return (oy &* g.side &+ g.reach &- x, x &- g.reach, x &+ g.reach &+ 1)
    }

    /// Pass 1: per cell its area and border contact; per sector the outline distance.
    static func outline(labels lab: UnsafePointer<Int32>, tissue tis: UnsafePointer<UInt8>, sectorOf: UnsafePointer<Int16>,
                        radiusOf: UnsafePointer<Float>, geometry g: Geometry,
                        cells: UnsafeMutablePointer<MembraneCellTally>, sectors tally: UnsafeMutablePointer<MembraneSectorTally>) {
        let w = g.width, h = g.height, gw = w &+ 2, sectors = g.sectors
        for y in 0..<h {
            let grow = (y &+ 1) &* gw &+ 1, row = y &* w
            let edgeRow = y == 0 || y == h &- 1
            forEachRun(lab + grow, width: w) { x0, x1, l32 in
                let l = Int(l32)
                if l <= 0 { return }
                cells[l].area &+= x1 &- x0
                if edgeRow || x0 == 0 || x1 == w { cells[l].border = true }
                guard let t = tableRow(cells, l, y, g) else { return }
                let from = Swift.max(x0, t.lo), to = Swift.min(x1, t.hi)
                if from >= to { return }
                let base = l &* sectors
                for x in from..<to {
                    let i = t.base &+ x
                    let s = Int(sectorOf[i])
                    if s < 0 { continue }
                    // Glass / pale pixels carry no membrane: radius −1 never extends the outline.
                    let r: Float = tis[row &+ x] == 0 ? -1 : radiusOf[i]
                    let k = base &+ s
                    // Branch-free running maximum; the cell across the outline is found in
                    // pass 2, at the first pixel (raster order) that reaches it.
                    let o = tally[k].outer
                    tally[k].outer = r > o ? r : o
                }
            }
        }
    }

    /// Calls `body(x0, x1, label)` for each run of one label in a row of `width` labels, left to
    /// right.
    @inline(__always)
    static func forEachRun(_ row: UnsafePointer<Int32>, width w: Int, _ body: (Int, Int, Int32) -> Void) {
        var x0 = 0
        while x0 < w {
            let l32 = row[x0]
            var x1 = x0 &+ 1
            while x1 < w && row[x1] == l32 { x1 &+= 1 }
            body(x0, x1, l32)
            x0 = x1
        }
    }

    /// The cell across the outline at framed position q of a pixel of cell l32 (0: none): the
    /// first of the left, right, upper and lower neighbours in another cell.
    @inline(__always)
    static func across(_ lab: UnsafePointer<Int32>, _ q: Int, _ gw: Int, _ l32: Int32) -> Int32 {
        if lab[q &- 1] > 0, lab[q &- 1] != l32 { return lab[q &- 1] }
        if lab[q &+ 1] > 0, lab[q &+ 1] != l32 { return lab[q &+ 1] }
        if lab[q &- gw] > 0, lab[q &- gw] != l32 { return lab[q &- gw] }
        if lab[q &+ gw] > 0, lab[q &+ gw] != l32 { return lab[q &+ gw] }
        return 0
    }

    /// Pass 2: per sector the two highest DAB values over the outer part of the cell and just
    /// across its outline (a membrane ridge on the boundary belongs to both neighbours), and the
    /// cell across the outline at the first pixel that reaches the outline distance (`neighbour`
    /// must start at −1); per cell the outline band, the stained outer pixels and the cytoplasm.
    static func sectorPeaks(labels lab: UnsafePointer<Int32>, nuclei nuc: UnsafePointer<Int32>, tissue tis: UnsafePointer<UInt8>,
                            dab d: UnsafePointer<Float>, sectorOf: UnsafePointer<Int16>, radiusOf: UnsafePointer<Float>,
                            geometry g: Geometry, stainedThreshold threshold: Float,
                            cells: UnsafeMutablePointer<MembraneCellTally>, sectors tally: UnsafeMutablePointer<MembraneSectorTally>) {
        let w = g.width, h = g.height, gw = w &+ 2, sectors = g.sectors, side = g.side, reach = g.reach
        @inline(__always) func record(_ k: Int, _ v: Float) { tally[k].record(v) }
        for y in 0..<h {
            let grow = (y &+ 1) &* gw &+ 1, row = y &* w
            forEachRun(lab + grow, width: w) { x0, x1, l32 in
                let l = Int(l32)
                if l <= 0 { return }
                let t = tableRow(cells, l, y, g)
                let base = l &* sectors
                // The cell's sums stay in registers over the run; they are still added pixel by
                // pixel in raster order, so they are the numbers a store per pixel gives (the
                // pixels just across an outline update other cells' peaks only).
                var sums = cells[l].sums
                defer { cells[l].sums = sums }
                for x in x0..<x1 {
                    let q = grow &+ x, p = row &+ x
                    if tis[p] == 0 { continue }
                    let v = d[p]
                    var onOutline = false
                    // Neighbours left, right, up, down; one in another cell means this pixel lies
                    // just across that cell's outline (left and right can differ only at the ends
                    // of the run).
                    @inline(__always) func neighbour(_ o: Int) {
                        let m32 = lab[o]
                        if m32 == l32 { return }
                        onOutline = true
                        let m = Int(m32)
                        if m > 0 {
                            let ox = x &- cells[m].centreX &+ reach, oy = y &- cells[m].centreY &+ reach
                            if ox >= 0 && ox < side && oy >= 0 && oy < side {
                                let s = Int(sectorOf[oy &* side &+ ox])
                                if s >= 0 { record(m &* sectors &+ s, v) }
                            }
                        }
                    }
                    if x == x0 { neighbour(q &- 1) }
                    if x == x1 &- 1 { neighbour(q &+ 1) }
                    neighbour(q &- gw)
                    neighbour(q &+ gw)
                    if onOutline { sums.bandSum += Double(v); sums.bandCount &+= 1 }
                    guard let t, x >= t.lo, x < t.hi else { continue }
                    let i = t.base &+ x
                    let s = Int(sectorOf[i])
                    if s < 0 { continue }
                    tally[base &+ s].take(radius: radiusOf[i], dab: v, stainedThreshold: threshold, sums: &sums,
                                          across: { across(lab, q, gw, l32) }, outsideNucleus: { nuc[p] != l32 })
                }
            }
        }
    }
}
