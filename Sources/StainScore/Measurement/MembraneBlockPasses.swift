/// The two membrane passes of `MembranePasses` for cell labels that are 2×2 blocks of coarse
/// labels (`LabelImage.blocks`, the cell flood at twice the analysis pixel size): the same
/// tallies, to the last bit, from the coarse labels.
///
/// What the blocks give:
/// - The runs of one label are those of the coarse row, found once (`Runs`) and shared by both
///   fine rows of the block and both passes; no full-resolution label image is read.
/// - A pixel's vertical neighbour lies in the same block except on one side: the coarse row
///   above for the top row of a block, the one below for its bottom row. Left and right
///   neighbours differ only at the ends of a run. So pass 2 finds the outline between a run's
///   ends in the bits of where the coarse rows differ (`Runs.vertical`), and visits the pixels
///   only there.
/// - Pass 1 (a maximum, independent of order) looks only at the ends of each run's stretches
///   of one sector (`SectorStretches`), where the radius is largest.
///
/// Pass 2 walks each run twice, for the outline and then for the sectors; each adds its own
/// Double sums over the run in raster order, so they are added in the order of the
/// pixel-by-pixel passes and the results are identical. (The peaks are the two highest values,
/// whatever the order they come in.)
enum MembraneBlockPasses {
    /// A run of one positive label in a coarse row, in fine columns [x0, x1) (cut at the image's
    /// right edge), with the labels just left and right of it (0 beyond the image).
    struct Run {
        var x0: Int32
        var x1: Int32
        var label: Int32
        var left: Int32
        var right: Int32
    }

    /// The runs of every coarse row: row `cy`'s are `runs[rowStart[cy]..<rowStart[cy + 1]]`.
    struct Runs {
        var runs: [Run] = []
        var rowStart: [Int] = []
        /// Where the labels change from one coarse row to the next: bit b of row r (`wordsPerRow`
        /// words a row, rows 0…height) is set when coarse (b, r) and (b, r − 1) differ, the rows
        /// beyond the top and bottom being 0. Pass 2 walks a run's outline across its block's
        /// edge as these bits, instead of comparing every coarse column.
        var vertical: [UInt64] = []
        var wordsPerRow = 0
        /// A coarse row of zeros: the labels beyond the top and bottom edges, for the vertical bits
        /// here and for pass 2's neighbour rows.
        var zeroRow: [Int32] = []
    }

    /// Finds the runs of `coarse` (⌈width / 2⌉ columns) for fine rows `width` pixels wide.
    static func runs(_ coarse: Plane<Int32>, width w: Int) -> Runs {
        let cw = coarse.width, ch = coarse.height
        var out = Runs()
        out.rowStart.reserveCapacity(ch + 1)
        out.runs.reserveCapacity(ch * 8)
        // A row's run starts as bits (column b set when its label differs from the one before,
        // or b = 0), formed without a jump; the runs are then read off them by counting zeros,
        // instead of a label-by-label search for each run's end.
        let words = (cw + 63) / 64
        var starts = [UInt64](repeating: 0, count: Swift.max(1, words))
        out.zeroRow = [Int32](repeating: 0, count: cw)
        out.wordsPerRow = words
        out.vertical = [UInt64](repeating: 0, count: words * (ch + 1))
        let zeros = out.zeroRow  // the same storage, borrowed while `out` grows
        coarse.values.withUnsafeBufferPointer { lab in
        zeros.withUnsafeBufferPointer { zero in
        out.vertical.withUnsafeMutableBufferPointer { vb in
        starts.withUnsafeMutableBufferPointer { sb in
            let st = sb.baseAddress!
            // Row r's vertical bits: coarse row r against row r − 1 (`above`).
            @inline(__always) func vertical(_ r: Int, _ row: UnsafePointer<Int32>, _ above: UnsafePointer<Int32>) {
                differenceBits(row, above, lag: 0, count: cw, into: vb.baseAddress! + r &* words, words: words)
            }
            for cy in 0..<ch {
                out.rowStart.append(out.runs.count)
                let row = lab.baseAddress! + cy &* cw
                vertical(cy, row, cy > 0 ? row - cw : zero.baseAddress!)
                differenceBits(row, row, lag: 1, count: cw, into: st, words: words)
                var b0 = 0
                while b0 < cw {
                    let b1 = b0 &+ 1 < cw ? BitRow.first(st, b0 &+ 1, cw) : cw  // the next run's start
                    let l = row[b0]
                    if l > 0 {
                        out.runs.append(Run(x0: Int32(2 &* b0), x1: Int32(Swift.min(w, 2 &* b1)), label: l,
                                            left: b0 > 0 ? row[b0 &- 1] : 0, right: b1 < cw ? row[b1] : 0))
                    }
                    b0 = b1
                }
            }
            out.rowStart.append(out.runs.count)
            if ch > 0 { vertical(ch, zero.baseAddress!, lab.baseAddress! + (ch &- 1) &* cw) }
        }}}}
        return out
    }

    /// Bits of `count` columns into `words` words at `out` (bit x & 63 of word x >> 6, zeros past
    /// the end): column x's set when a[x] ≠ b[x − lag] — and always for x < lag, where there is no
    /// b[x − lag] (a row's first column starts a run).
    ///
    /// Eight columns at a time without a compare (Swift builds `SIMDMask` lane by lane): a lane of
    /// d = a ^ b is non-zero exactly when d | −d has its top bit set, and the eight 0/1 bytes are
    /// packed into a byte (`ByteFlags.packLowBits`), as `TissueBits` packs its codes.
    @inline(__always)
    static func differenceBits(_ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>, lag: Int, count: Int,
                               into out: UnsafeMutablePointer<UInt64>, words: Int) {
        let bytes = UnsafeMutableRawPointer(out).assumingMemoryBound(to: UInt8.self)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        @inline(__always) func scalarByte(_ k: Int) -> UInt8 {  // columns k ..< min(k + 8, count)
            var byte: UInt8 = 0
            for x in k..<Swift.min(k &+ 8, count) where x < lag || a[x] != b[x &- lag] { byte |= 1 << UInt8(x & 7) }
            return byte
        }
        var k = 0
        if lag > 0 && count > 0 { bytes[0] = scalarByte(0); k = 8 }
        while k &+ 8 <= count {
            let d = ra.loadUnaligned(fromByteOffset: 4 &* k, as: SIMD8<UInt32>.self)
                ^ rb.loadUnaligned(fromByteOffset: 4 &* (k &- lag), as: SIMD8<UInt32>.self)
            let flags = SIMD8<UInt8>(truncatingIfNeeded: (d | (SIMD8<UInt32>() &- d)) &>> 31)
            bytes[k >> 3] = ByteFlags.packLowBits(unsafeBitCast(flags, to: UInt64.self))
            k &+= 8
        }
        var j = k >> 3
        if k < count { bytes[j] = scalarByte(k); j &+= 1 }
        while j < words &* 8 { bytes[j] = 0; j &+= 1 }
        // The bytes were written in little-endian order (a no-op on such a machine).
        for i in 0..<words { out[i] = UInt64(littleEndian: out[i]) }
    }

    /// The stretches of one sector along each row of the lookup tables: `at[oy · side + ox]` is
    /// the stretch j holding column `ox` of row `oy`, whose columns run up to `end[j]` (exclusive)
    /// and have sector `sector[j]` (−1: the centre, no sector); the row's next stretch is j + 1.
    struct SectorStretches {
        var end: [Int32] = []
        var sector: [Int16] = []
        var at: [Int32] = []

        init(sectorOf: [Int16], side: Int) {
            at = [Int32](repeating: 0, count: side * side)
            for oy in 0..<side {
                var ox = 0
                while ox < side {
                    let s = sectorOf[oy * side + ox]
                    var e = ox + 1
                    while e < side && sectorOf[oy * side + e] == s { e += 1 }
                    for c in ox..<e { at[oy * side + c] = Int32(end.count) }
                    end.append(Int32(e)); sector.append(s)
                    ox = e
                }
            }
        }
    }

    /// Pass 1: per cell its area and border contact; per sector the outline distance (the
    /// farthest tissue pixel), as `MembranePasses.outline` — without visiting every pixel.
    ///
    /// Along a row of the lookup table the radius falls to the column of the centre and rises
    /// after it (it is √(dx² + dy²) rounded, monotone in |dx|), so over any set of columns its
    /// maximum is at the first or the last. A run's part in one sector (`SectorStretches`) is
    /// one such set once its glass pixels are left out: only its first and last tissue pixels
    /// are looked at (found in the tissue bits, `TissueBits`, by `BitRow`), and the sector's tally is updated
    /// once per stretch.
    static func outline(runs: UnsafePointer<Run>, rowStart: UnsafePointer<Int>, tissueBits bits: UnsafePointer<UInt64>,
                        wordsPerRow wpr: Int,
                        radiusOf: UnsafePointer<Float>, stretchEnd: UnsafePointer<Int32>, stretchSector: UnsafePointer<Int16>,
                        stretchAt: UnsafePointer<Int32>, geometry g: MembranePasses.Geometry,
                        cells: UnsafeMutablePointer<MembraneCellTally>, sectors tally: UnsafeMutablePointer<MembraneSectorTally>) {
        let w = g.width, h = g.height, sectors = g.sectors, side = g.side, reach = g.reach
        let ch = (h &+ 1) / 2
        for cy in 0..<ch {
            let y0 = 2 &* cy, rows = Swift.min(2, h &- y0)
            let edgeRow = cy == 0 || cy == ch &- 1
            for j in rowStart[cy]..<rowStart[cy &+ 1] {
                let run = runs[j]
                let l = Int(run.label), x0 = Int(run.x0), x1 = Int(run.x1)
                cells[l].area &+= (x1 &- x0) &* rows
                if edgeRow || x0 == 0 || x1 == w { cells[l].border = true }
                let cx = cells[l].centreX, base = l &* sectors
                // The table covers fine columns [cx − reach, cx + reach] of this cell.
                let from = Swift.max(x0, cx &- reach), to = Swift.min(x1, cx &+ reach &+ 1)
                if from >= to { continue }
                for y in y0..<(y0 &+ rows) {
                    let oy = y &- cells[l].centreY &+ reach
                    if oy < 0 || oy >= side { continue }
                    let tb = oy &* side &+ reach &- cx  // table index of column x: tb + x
                    let line = bits + y &* wpr
                    var x = from
                    var js = Int(stretchAt[tb &+ x])
                    while x < to {
                        let e = Swift.min(to, Int(stretchEnd[js]) &+ cx &- reach)
                        let s = Int(stretchSector[js])
                        js &+= 1
                        if s >= 0 {
                            // The first and last tissue pixels of [x, e).
                            let a = BitRow.first(line, x, e)
                            if a < e {
                                let b = BitRow.last(line, a, e &- 1)
                                let ra = radiusOf[tb &+ a], rb = radiusOf[tb &+ b]
                                let r = ra > rb ? ra : rb
                                let k = base &+ s
                                let o = tally[k].outer
                                tally[k].outer = r > o ? r : o
                            }
                        }
                        x = e
                    }
                }
            }
        }
    }

    /// Pass 2: as `MembranePasses.sectorPeaks` (`neighbour` must start at −1), over the coarse
    /// runs, fine row by fine row; the sectors' pixels are the set bits of `TissueBits`, each
    /// pixel's radius and sector one load from `entries`.
    /// `zeroRow` holds ⌈width / 2⌉ zeros: the labels beyond the top and bottom edges. The
    /// nucleus labels are coarse too (⌈width / 2⌉ a row): the nuclei's 2×2 blocks, so pixel
    /// (x, y)'s nucleus is coarse (x >> 1, y >> 1)'s.
    static func sectorPeaks(runs: UnsafePointer<Run>, rowStart: UnsafePointer<Int>, vertical: UnsafePointer<UInt64>,
                            coarseWordsPerRow cwpr: Int, coarse lab: UnsafePointer<Int32>,
                            zeroRow: UnsafePointer<Int32>, coarseNuclei nuc: UnsafePointer<Int32>, tissue tis: UnsafePointer<UInt8>,
                            tissueBits bits: UnsafePointer<UInt64>, wordsPerRow wpr: Int,
                            dab d: UnsafePointer<Float>, sectorOf: UnsafePointer<Int16>,
                            entries: UnsafePointer<MembraneLookupTables.Entry>,
                            geometry g: MembranePasses.Geometry, stainedThreshold threshold: Float,
                            cells: UnsafeMutablePointer<MembraneCellTally>, sectors tally: UnsafeMutablePointer<MembraneSectorTally>) {
        let w = g.width, h = g.height, sectors = g.sectors, side = g.side, reach = g.reach
        let cw = (w &+ 1) / 2, ch = (h &+ 1) / 2
        @inline(__always) func record(_ k: Int, _ v: Float) { tally[k].record(v) }
        // Pixel (x, y) with DAB v lies just across the outline of cell m.
        @inline(__always) func across(_ m: Int, _ x: Int, _ y: Int, _ v: Float) {
            let ox = x &- cells[m].centreX &+ reach, oy = y &- cells[m].centreY &+ reach
            if ox >= 0 && ox < side && oy >= 0 && oy < side {
                let s = Int(sectorOf[oy &* side &+ ox])
                if s >= 0 { record(m &* sectors &+ s, v) }
            }
        }
        for y in 0..<h {
            let cy = y >> 1, top = y & 1 == 0
            // The coarse row holding this pixel row's other vertical neighbour (the one outside
            // its block); at the bottom of an odd height the block has one row and its lower
            // neighbour is beyond the image as well.
            let other = top ? cy &- 1 : cy &+ 1
            let vrow = other >= 0 && other < ch ? lab + other &* cw : zeroRow
            let bottomEdge = top && y &+ 1 == h
            // Where the other row's labels differ from this block's (`Runs.vertical`).
            let differs = vertical + (top ? cy : cy &+ 1) &* cwpr
            let row = y &* w, nucleusRow = nuc + cy &* cw
            for j in rowStart[cy]..<rowStart[cy &+ 1] {
                let run = runs[j]
                let l32 = run.label, l = Int(l32), x0 = Int(run.x0), x1 = Int(run.x1)
                let left = run.left, right = run.right
                let cx = cells[l].centreX
                let oy = y &- cells[l].centreY &+ reach
                let rowInTable = oy >= 0 && oy < side
                let tb = oy &* side &+ reach &- cx
                let from = rowInTable ? Swift.min(x1, Swift.max(x0, cx &- reach)) : x1
                let to = rowInTable ? Swift.max(from, Swift.min(x1, cx &+ reach &+ 1)) : x1
                let base = l &* sectors
                // The cell's sums stay in registers over the run; they are added pixel by pixel in
                // raster order.
                var sums = cells[l].sums
                defer { cells[l].sums = sums }
                // The outline first, then the sectors: two loops over the run, each adding its own
                // sums in raster order. A pixel is on the outline when a neighbour left, right, up
                // or down is in another cell (or beyond the image), and then just across that
                // cell's outline.
                @inline(__always) func outline(_ x: Int) {
                    let p = row &+ x
                    if tis[p] == 0 { return }
                    let v = d[p]
                    var onOutline = bottomEdge
                    let vl = vrow[x >> 1]
                    if x == x0 { onOutline = true; if left > 0 { across(Int(left), x, y, v) } }
                    if x == x1 &- 1 { onOutline = true; if right > 0 { across(Int(right), x, y, v) } }
                    if vl != l32 { onOutline = true; if vl > 0 { across(Int(vl), x, y, v) } }
                    if onOutline { sums.bandSum += Double(v); sums.bandCount &+= 1 }
                }
                if bottomEdge {
                    for x in x0..<x1 { outline(x) }
                } else {
                    // Between the ends only the vertical neighbour outside the block can differ,
                    // and both pixels of a coarse column share it: the pixels are visited in the
                    // coarse columns where it differs, the set bits of `differs`.
                    outline(x0)
                    let last = x1 &- 1
                    if last > x0 {
                        let bEnd = (last >> 1) &+ 1
                        var b = BitRow.first(differs, x0 >> 1, bEnd)
                        while b < bEnd {
                            // The column's pixels strictly between the ends.
                            let c0 = Swift.max(2 &* b, x0 &+ 1), c1 = Swift.min(2 &* b &+ 2, last)
                            for x in c0..<Swift.max(c0, c1) { outline(x) }
                            b &+= 1
                            if b < bEnd { b = BitRow.first(differs, b, bEnd) }
                        }
                        outline(last)
                    }
                }
                // The sectors: the tissue pixels within the cell's lookup table, left to right,
                // from the set bits of the row's tissue words.
                if from < to {
                    let line = bits + y &* wpr
                    let lastWord = (to &- 1) >> 6
                    var wi = from >> 6
                    var m = line[wi] & (UInt64.max << UInt64(from & 63))
                    while true {
                        if wi == lastWord { m &= UInt64.max >> UInt64(63 &- ((to &- 1) & 63)) }
                        while m != 0 {
                            let xx = (wi << 6) &+ m.trailingZeroBitCount
                            m &= m &- 1
                            let p = row &+ xx, i = tb &+ xx
                            let entry = entries[i]
                            let s = Int(entry.sector)
                            if s < 0 { continue }
                            // The first of the left, right, upper and lower neighbours in another cell.
                            tally[base &+ s].take(radius: entry.radius, dab: d[p], stainedThreshold: threshold, sums: &sums,
                                                  across: {
                                                      let vl = vrow[xx >> 1]
                                                      return xx == x0 && left > 0 ? left : xx == x1 &- 1 && right > 0 ? right
                                                          : vl > 0 && vl != l32 ? vl : 0 },
                                                  outsideNucleus: { nucleusRow[xx >> 1] != l32 })
                        }
                        if wi == lastWord { break }
                        wi &+= 1
                        m = line[wi]
                    }
                }
            }
        }
    }
}
