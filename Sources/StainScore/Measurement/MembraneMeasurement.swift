/// Parameters of the per-cell membrane measurement.
public struct MembraneParameters: Sendable, Hashable, Codable {
    /// Angular sectors around the nucleus centre; completeness has this resolution.
    public var sectors: Int = 36
    /// Within each sector, the membrane is sought in the outer part of the cell: beyond this
    /// fraction of the way from the nucleus edge to the cell's outline. Cytoplasmic blush
    /// nearer the nucleus is measured separately as cytoplasm.
    public var outerFraction: Double = 0.5
    /// The outline a cell shares with a neighbour whose own membrane is complete would look
    /// stained whatever this cell expresses: such sectors are left out of this cell's
    /// completeness and intensity — unless fewer than this fraction of its sectors would remain
    /// (a cell inside a uniformly stained clone), when all sectors are used.
    public var minimumOwnSectorFraction: Double = 0.25
    /// Whether to apply that attribution at all.
    public var attributeSharedMembranes: Bool = true
    /// A neighbour counts as completely stained from this fraction of stained sectors.
    public var completeFractionForAttribution: Double = 0.9
    public init() {}
}

/// Membrane facts of one cell, in the units of `CellMeasurement`.
public struct MembraneProfile: Sendable, Hashable {
    public var staining: MembraneStaining
    public var meanOD: Double
    public var p90OD: Double
    public var thicknessMicrons: Double
    public var cytoplasmOD: Double
    public var cellAreaPixels: Int
    /// The territory reaches the image border: the outline is cut and the cell is not measured.
    public var touchesBorder: Bool
    /// Peak DAB OD per sector (the membrane profile around the cell).
    public var sectorPeaks: [Float]
}

/// Measures every cell's membrane in two passes over the cell label image.
///
/// Around each nucleus centre the cell is divided into angular sectors. Pass 1 finds each
/// sector's outline distance; pass 2 takes, per sector, the peak DAB OD over the outer part
/// of the cell — plus the pixels just across a shared outline, because a membrane ridge lies
/// on the boundary and belongs to both neighbours. A sector is stained when its peak reaches
/// `CellClassificationParameters.stainedThreshold`.
/// - a sector's value is its second-highest DAB pixel (robust to single noisy pixels);
/// - completeness = stained sectors / sectors; longest arc = longest circular run of stained
///   sectors / sectors; intensity = median sector value over the stained sectors;
/// - mean OD = mean DAB on the outline pixels; p90 = 90th percentile of the sector peaks;
/// - thickness ≈ stained outer area / stained outline length (µm);
/// - cytoplasm OD = mean DAB of the inner part outside the nucleus.
public enum MembraneMeasurer {
    public static func measure(cells: LabelImage, nuclei: NucleusDetection, dab: Plane<Float>, tissue: Plane<UInt8>, pixelSize: Double,
                               stainedThreshold: Double, maximumRadiusPixels: Double,
                               parameters p: MembraneParameters, clock: StageClock? = nil) -> [MembraneProfile] {
        clock?.restart()
        let w = cells.width, h = cells.height, n = cells.count
        let sectors = max(4, p.sectors)
        let reach = Int(maximumRadiusPixels.rounded(.up)) + 2
        let side = 2 * reach + 1
        // Offset → sector and radius lookup tables.
        var sectorOf = [Int16](repeating: -1, count: side * side)
        var radiusOf = [Float](repeating: 0, count: side * side)
        for dy in -reach...reach {
            for dx in -reach...reach where dx != 0 || dy != 0 {
                let angle = atan2(Double(dy), Double(dx)) + .pi
                sectorOf[(dy + reach) * side + dx + reach] = Int16(min(sectors - 1, Int(angle / (2 * .pi) * Double(sectors))))
                radiusOf[(dy + reach) * side + dx + reach] = Float((Double(dx * dx + dy * dy)).squareRoot())
            }
        }
        let cx = nuclei.nuclei.map { Int($0.x.rounded()) }, cy = nuclei.nuclei.map { Int($0.y.rounded()) }
        let rn = nuclei.nuclei.map { Float($0.equivalentRadius) }
        var outer = [Float](repeating: 0, count: (n + 1) * sectors)
        var outerNeighbour = [Int32](repeating: 0, count: (n + 1) * sectors)
        var peak = [Float](repeating: 0, count: (n + 1) * sectors)     // highest value per sector
        var second = [Float](repeating: 0, count: (n + 1) * sectors)   // second highest
        var area = [Int](repeating: 0, count: n + 1)
        var border = [Bool](repeating: false, count: n + 1)
        var bandSum = [Double](repeating: 0, count: n + 1), bandCount = [Int](repeating: 0, count: n + 1)
        var cytoSum = [Double](repeating: 0, count: n + 1), cytoCount = [Int](repeating: 0, count: n + 1)
        var stainedOuter = [Int](repeating: 0, count: n + 1)
        let threshold = Float(stainedThreshold)
        let outerFraction = Float(p.outerFraction)
        // Labels with a one-pixel frame of 0: a neighbour never needs a bounds check; reaching
        // the frame counts as reaching the outline (as the image edge did).
        let gw = w + 2
        var framed = [Int32](repeating: 0, count: gw * (h + 2))
        cells.labels.values.withUnsafeBufferPointer { src in
            framed.withUnsafeMutableBufferPointer { dst in
                let base = dst.baseAddress!, from = src.baseAddress!
                for y in 0..<h {
                    let target: UnsafeMutablePointer<Int32> = base + ((y &+ 1) &* gw &+ 1)
                    target.update(from: from + y &* w, count: w)
                }
            }
        }
        // Per label, its nucleus centre (the lookup tables are centred there).
        var centreX = [Int](repeating: 0, count: n + 1), centreY = centreX
        for l in 1..<(n + 1) { centreX[l] = cx[l - 1]; centreY[l] = cy[l - 1] }
        // Per label and sector, the radius from which the outer part begins (after pass 1).
        var innerRadius = [Float](repeating: 0, count: (n + 1) * sectors)
        framed.withUnsafeBufferPointer { fb in
        nuclei.labels.labels.values.withUnsafeBufferPointer { nuc in
        tissue.values.withUnsafeBufferPointer { tis in
        dab.values.withUnsafeBufferPointer { d in
        sectorOf.withUnsafeBufferPointer { sectorTable in
        radiusOf.withUnsafeBufferPointer { radiusTable in
        centreX.withUnsafeBufferPointer { centreX in
        centreY.withUnsafeBufferPointer { centreY in
        innerRadius.withUnsafeMutableBufferPointer { innerRadius in
        outer.withUnsafeMutableBufferPointer { outer in
        outerNeighbour.withUnsafeMutableBufferPointer { outerNeighbour in
        peak.withUnsafeMutableBufferPointer { peak in
        second.withUnsafeMutableBufferPointer { second in
        area.withUnsafeMutableBufferPointer { area in
        border.withUnsafeMutableBufferPointer { border in
        bandSum.withUnsafeMutableBufferPointer { bandSum in
        bandCount.withUnsafeMutableBufferPointer { bandCount in
        cytoSum.withUnsafeMutableBufferPointer { cytoSum in
        cytoCount.withUnsafeMutableBufferPointer { cytoCount in
        stainedOuter.withUnsafeMutableBufferPointer { stainedOuter in
            let lab = fb.baseAddress!, sectorOf = sectorTable.baseAddress!, radiusOf = radiusTable.baseAddress!
            /// The lookup-table row of label l at image row y, as an index of pixel x = 0 and
            /// the columns [lo, hi) the table covers; nil when row y lies outside it.
            @inline(__always) func tableRow(_ l: Int, _ y: Int) -> (base: Int, lo: Int, hi: Int)? {
                let oy = y &- centreY[l] &+ reach
                if oy < 0 || oy >= side { return nil }
                let c = centreX[l]
                return (oy &* side &+ reach &- c, c &- reach, c &+ reach &+ 1)
            }
            /// Lookup-table index of pixel (x, y) for label l, or −1 outside the table.
            @inline(__always) func lutIndex(_ l: Int, _ x: Int, _ y: Int) -> Int {
                let ox = x &- centreX[l] &+ reach, oy = y &- centreY[l] &+ reach
                return ox >= 0 && ox < side && oy >= 0 && oy < side ? oy &* side &+ ox : -1
            }
            // Both passes walk each row as runs of one label: the label's data are looked up
            // once per run, and the table columns are clipped once per run instead of checked
            // per pixel. Pixels are still visited in raster order, so every sum is formed in
            // the same order as a pixel-by-pixel walk.
            // Pass 1: outline distance per sector, area, border contact.
            for y in 0..<h {
                let grow = (y &+ 1) &* gw &+ 1, row = y &* w
                let edgeRow = y == 0 || y == h &- 1
                var x0 = 0
                while x0 < w {
                    let l32 = lab[grow &+ x0]
                    var x1 = x0 &+ 1
                    while x1 < w && lab[grow &+ x1] == l32 { x1 &+= 1 }
                    defer { x0 = x1 }
                    let l = Int(l32)
                    if l <= 0 { continue }
                    area[l] &+= x1 &- x0
                    if edgeRow || x0 == 0 || x1 == w { border[l] = true }
                    guard let t = tableRow(l, y) else { continue }
                    let base = l &* sectors
                    let from = Swift.max(x0, t.lo), to = Swift.min(x1, t.hi)
                    if from >= to { continue }
                    for x in from..<to {
                        if tis[row &+ x] == 0 { continue }  // glass / pale: no membrane here
                        let i = t.base &+ x
                        let s = Int(sectorOf[i])
                        if s < 0 { continue }
                        let r = radiusOf[i]
                        let k = base &+ s
                        if r > outer[k] {
                            outer[k] = r
                            // Which cell lies across the outline here (0: none).
                            let g = grow &+ x
                            var across: Int32 = 0
                            if lab[g &- 1] > 0, lab[g &- 1] != l32 { across = lab[g &- 1] }
                            else if lab[g &+ 1] > 0, lab[g &+ 1] != l32 { across = lab[g &+ 1] }
                            else if lab[g &- gw] > 0, lab[g &- gw] != l32 { across = lab[g &- gw] }
                            else if lab[g &+ gw] > 0, lab[g &+ gw] != l32 { across = lab[g &+ gw] }
                            outerNeighbour[k] = across
                        }
                    }
                }
            }
            for l in 1..<(n + 1) {
                let edge = rn[l &- 1]
                for s in 0..<sectors {
                    let k = l &* sectors &+ s
                    innerRadius[k] = edge + outerFraction * Swift.max(0, outer[k] - edge)
                }
            }
            clock.lap("membrane.outline")
            @inline(__always) func record(_ k: Int, _ v: Float) {
                if v > peak[k] { second[k] = peak[k]; peak[k] = v } else if v > second[k] { second[k] = v }
            }
            // Pass 2: sector peaks over the outer part, outline band, cytoplasm.
            for y in 0..<h {
                let grow = (y &+ 1) &* gw &+ 1, row = y &* w
                var x0 = 0
                while x0 < w {
                    let l32 = lab[grow &+ x0]
                    var x1 = x0 &+ 1
                    while x1 < w && lab[grow &+ x1] == l32 { x1 &+= 1 }
                    defer { x0 = x1 }
                    let l = Int(l32)
                    if l <= 0 { continue }
                    let t = tableRow(l, y)
                    let base = l &* sectors
                    for x in x0..<x1 {
                        let g = grow &+ x, p = row &+ x
                        if tis[p] == 0 { continue }
                        let v = d[p]
                        var onOutline = false
                        // Neighbours left, right, up, down; one in another cell means this pixel
                        // lies just across that cell's outline (left and right can differ only
                        // at the ends of the run).
                        @inline(__always) func neighbour(_ q: Int) {
                            let m32 = lab[q]
                            if m32 == l32 { return }
                            onOutline = true
                            let m = Int(m32)
                            if m > 0 {
                                let i = lutIndex(m, x, y)
                                if i >= 0 {
                                    let s = Int(sectorOf[i])
                                    if s >= 0 { record(m &* sectors &+ s, v) }
                                }
                            }
                        }
                        if x == x0 { neighbour(g &- 1) }
                        if x == x1 &- 1 { neighbour(g &+ 1) }
                        neighbour(g &- gw)
                        neighbour(g &+ gw)
                        if onOutline { bandSum[l] += Double(v); bandCount[l] &+= 1 }
                        guard let t, x >= t.lo, x < t.hi else { continue }
                        let i = t.base &+ x
                        let s = Int(sectorOf[i])
                        if s < 0 { continue }
                        let k = base &+ s
                        if radiusOf[i] >= innerRadius[k] {
                            record(k, v)
                            if v >= threshold { stainedOuter[l] &+= 1 }
                        } else if nuc[p] != l32 {
                            cytoSum[l] += Double(v); cytoCount[l] &+= 1
                        }
                    }
                }
            }
        }}}}}}}}}}}}}}}}}}}}
        clock.lap("membrane.sectors")
        // A sector's membrane value is its second-highest pixel: a membrane crossing a sector
        // spans several pixels, so this stays on the ridge while shedding the upward bias of a
        // maximum over noisy pixels.
        peak = second
        // Raw completeness of every cell first: it decides which neighbours are complete.
        var rawComplete = [Bool](repeating: false, count: n + 1)
        for l in 1..<(n + 1) {
            var stained = 0
            for s in 0..<sectors where peak[l * sectors + s] >= threshold { stained += 1 }
            rawComplete[l] = Double(stained) >= p.completeFractionForAttribution * Double(sectors)
        }
        var profiles: [MembraneProfile] = []
        profiles.reserveCapacity(n)
        for l in 1..<(n + 1) {
            let sectorPeaks = Array(peak[(l * sectors)..<((l + 1) * sectors)])
            let stained = sectorPeaks.map { $0 >= threshold }
            // Sectors whose outline is shared with a completely stained neighbour are ambiguous.
            var own = [Bool](repeating: true, count: sectors)
            if p.attributeSharedMembranes {
                for s in 0..<sectors {
                    let across = Int(outerNeighbour[l * sectors + s])
                    if across > 0 && rawComplete[across] { own[s] = false }
                }
                if Double(own.filter { $0 }.count) < p.minimumOwnSectorFraction * Double(sectors) {
                    own = [Bool](repeating: true, count: sectors)
                }
            }
            let ownCount = own.filter { $0 }.count
            let stainedOwn = (0..<sectors).filter { own[$0] && stained[$0] }
            let completeness = Double(stainedOwn.count) / Double(max(1, ownCount))
            var longest = 0
            if !stainedOwn.isEmpty {
                if stainedOwn.count == ownCount {
                    longest = ownCount
                } else {
                    var run = 0
                    for i in 0..<(2 * sectors) {
                        let s = i % sectors
                        if !own[s] { continue }  // ambiguous sectors neither break nor extend an arc
                        if stained[s] { run += 1; longest = max(longest, run) } else { run = 0 }
                    }
                    longest = min(longest, stainedOwn.count)
                }
            }
            // Median over the stained sectors: robust to a few sectors lit by a neighbour's band.
            let stainedValues = stainedOwn.map { Double(sectorPeaks[$0]) }.sorted()
            let intensity = stainedValues.isEmpty ? 0
                : (stainedValues[(stainedValues.count - 1) / 2] + stainedValues[stainedValues.count / 2]) / 2
            let sorted = sectorPeaks.sorted()
            let p90 = Double(sorted[min(sectors - 1, Int(0.9 * Double(sectors - 1) + 0.5))])
            let cellRadius = (Double(area[l]) / .pi).squareRoot()
            let arcLength = completeness * 2 * .pi * cellRadius
            let thickness = arcLength > 0 ? Double(stainedOuter[l]) / arcLength * pixelSize : 0
            profiles.append(MembraneProfile(
                staining: MembraneStaining(intensity: intensity, completeness: completeness,
                                           longestArc: Double(longest) / Double(max(1, ownCount))),
                meanOD: bandCount[l] > 0 ? bandSum[l] / Double(bandCount[l]) : 0, p90OD: p90,
                thicknessMicrons: thickness, cytoplasmOD: cytoCount[l] > 0 ? cytoSum[l] / Double(cytoCount[l]) : 0,
                cellAreaPixels: area[l], touchesBorder: border[l], sectorPeaks: sectorPeaks))
        }
        clock.lap("membrane.summary")
        return profiles
    }
}

import Foundation
