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
    /// The peaks of the cell's own sectors only (those not shared with a completely stained
    /// neighbour), in circular order — kept only when asked for (`keepOwnSectorPeaks`), for
    /// calibration: completeness, longest arc and intensity at another stained threshold follow
    /// from them alone (`MembraneStaining.remeasured`).
    public var ownSectorPeaks: [Float]? = nil
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
                               parameters p: MembraneParameters, keepOwnSectorPeaks: Bool = false,
                               clock: StageClock? = nil) -> [MembraneProfile] {
        clock?.restart()
        let w = cells.width, h = cells.height, n = cells.count
        let sectors = max(4, p.sectors)
        let reach = Int(maximumRadiusPixels.rounded(.up)) + 2
        // Offset → sector and radius lookup tables, and their sector stretches.
        let tables = MembraneLookupTables.shared(reach: reach, sectors: sectors)
        let side = tables.side, sectorOf = tables.sectorOf, radiusOf = tables.radiusOf
        let cx = nuclei.nuclei.map { Int($0.x.rounded()) }, cy = nuclei.nuclei.map { Int($0.y.rounded()) }
        let rn = nuclei.nuclei.map { Float($0.equivalentRadius) }
        let threshold = Float(stainedThreshold)
        let outerFraction = Float(p.outerFraction)
        // Cell and nucleus labels that are both 2×2 blocks are walked block-wise, from the coarse
        // labels (`MembraneBlockPasses`); others pixel by pixel, with a one-pixel frame of 0
        // around them so that a neighbour never needs a bounds check (reaching the frame counts
        // as reaching the outline, as the image edge did).
        let coarseNuclei = nuclei.labels.blocks.flatMap { $0.factor == 2 ? $0.labels : nil }
        let coarse = coarseNuclei == nil ? nil : cells.blocks.flatMap { $0.factor == 2 ? $0.labels : nil }
        let gw = w + 2
        var framed: [Int32] = []
        var runs = MembraneBlockPasses.Runs()
        var tissueBits: TissueBits?  // with the coarse labels: the block passes read the tissue as bits
        let stretches = tables.stretches
        if let coarse {
            runs = MembraneBlockPasses.runs(coarse, width: w)
            tissueBits = TissueBits(tissue)
        } else {
            framed = [Int32](unsafeUninitializedCapacity: gw * (h + 2)) { dst, count in
                let base = dst.baseAddress!
                FramedBuffer.initializeFrame(base, width: w, height: h, value: 0)
                cells.labels.values.withUnsafeBufferPointer { src in
                    let from = src.baseAddress!
                    for y in 0..<h { (base + ((y &+ 1) &* gw &+ 1)).initialize(from: from + y &* w, count: w) }
                }
                count = gw * (h + 2)
            }
        }
        // Per cell and per (cell, sector) tallies; each cell's lookup tables are centred on its
        // nucleus.
        var cellTallies = [MembraneCellTally](repeating: MembraneCellTally(), count: n + 1)
        for l in 1..<(n + 1) { cellTallies[l].centreX = cx[l - 1]; cellTallies[l].centreY = cy[l - 1] }
        var sectorTallies = [MembraneSectorTally](repeating: MembraneSectorTally(), count: (n + 1) * sectors)
        let geometry = MembranePasses.Geometry(width: w, height: h, sectors: sectors, reach: reach, side: side)
        clock.lap("membrane.setup")  // the lookup tables, the runs, the tallies
        tissue.values.withUnsafeBufferPointer { tis in
        sectorOf.withUnsafeBufferPointer { sectorTable in
        radiusOf.withUnsafeBufferPointer { radiusTable in
        cellTallies.withUnsafeMutableBufferPointer { cellTable in
        sectorTallies.withUnsafeMutableBufferPointer { sectorTable2 in
            if let tissueBits {
                tissueBits.words.withUnsafeBufferPointer { bits in
                runs.runs.withUnsafeBufferPointer { run in
                runs.rowStart.withUnsafeBufferPointer { start in
                stretches.end.withUnsafeBufferPointer { stretchEnd in
                stretches.sector.withUnsafeBufferPointer { stretchSector in
                stretches.at.withUnsafeBufferPointer { stretchAt in
                    MembraneBlockPasses.outline(runs: run.baseAddress!, rowStart: start.baseAddress!, tissueBits: bits.baseAddress!,
                                                wordsPerRow: tissueBits.wordsPerRow,
                                                radiusOf: radiusTable.baseAddress!, stretchEnd: stretchEnd.baseAddress!,
                                                stretchSector: stretchSector.baseAddress!, stretchAt: stretchAt.baseAddress!,
                                                geometry: geometry, cells: cellTable.baseAddress!, sectors: sectorTable2.baseAddress!)
                }}}}}}
            } else {
                framed.withUnsafeBufferPointer { fb in
                    MembranePasses.outline(labels: fb.baseAddress!, tissue: tis.baseAddress!, sectorOf: sectorTable.baseAddress!,
                                           radiusOf: radiusTable.baseAddress!, geometry: geometry,
                                           cells: cellTable.baseAddress!, sectors: sectorTable2.baseAddress!)
                }
            }
        }}}}}
        for l in 1..<(n + 1) {
            let edge = rn[l - 1]
            for s in 0..<sectors {
                let k = l * sectors + s
                sectorTallies[k].inner = edge + outerFraction * Swift.max(0, sectorTallies[k].outer - edge)
                sectorTallies[k].neighbour = -1
            }
        }
        clock.lap("membrane.outline")
        // The block passes read the coarse nucleus labels (a quarter of the bytes).
        (coarse != nil ? coarseNuclei! : nuclei.labels.labels).values.withUnsafeBufferPointer { nuc in
        tissue.values.withUnsafeBufferPointer { tis in
        dab.values.withUnsafeBufferPointer { d in
        sectorOf.withUnsafeBufferPointer { sectorTable in
        radiusOf.withUnsafeBufferPointer { radiusTable in
        cellTallies.withUnsafeMutableBufferPointer { cellTable in
        sectorTallies.withUnsafeMutableBufferPointer { sectorTable2 in
            if let coarse, let tissueBits {
                tissueBits.words.withUnsafeBufferPointer { bits in
                runs.runs.withUnsafeBufferPointer { run in
                runs.rowStart.withUnsafeBufferPointer { start in
                coarse.values.withUnsafeBufferPointer { lab in
                runs.zeroRow.withUnsafeBufferPointer { zero in  // the labels beyond the top and bottom
                tables.entries.withUnsafeBufferPointer { entryTable in
                runs.vertical.withUnsafeBufferPointer { vertical in
                    MembraneBlockPasses.sectorPeaks(runs: run.baseAddress!, rowStart: start.baseAddress!,
                                                    vertical: vertical.baseAddress!, coarseWordsPerRow: runs.wordsPerRow,
                                                    coarse: lab.baseAddress!,
                                                    zeroRow: zero.baseAddress!, coarseNuclei: nuc.baseAddress!, tissue: tis.baseAddress!,
                                                    tissueBits: bits.baseAddress!, wordsPerRow: tissueBits.wordsPerRow,
                                                    dab: d.baseAddress!, sectorOf: sectorTable.baseAddress!,
                                                    entries: entryTable.baseAddress!, geometry: geometry,
                                                    stainedThreshold: threshold,
                                                    cells: cellTable.baseAddress!, sectors: sectorTable2.baseAddress!)
                }}}}}}}
            } else {
                framed.withUnsafeBufferPointer { fb in
                    MembranePasses.sectorPeaks(labels: fb.baseAddress!, nuclei: nuc.baseAddress!, tissue: tis.baseAddress!,
                                               dab: d.baseAddress!, sectorOf: sectorTable.baseAddress!,
                                               radiusOf: radiusTable.baseAddress!, geometry: geometry,
                                               stainedThreshold: threshold,
                                               cells: cellTable.baseAddress!, sectors: sectorTable2.baseAddress!)
                }
            }
        }}}}}}}
        clock.lap("membrane.sectors")
        // A sector's membrane value is its second-highest pixel: a membrane crossing a sector
        // spans several pixels, so this stays on the ridge while shedding the upward bias of a
        // maximum over noisy pixels.
        // (Filled in a loop each: a `map` here can compile to an append, with a uniqueness check,
        // per element.)
        let peak = [Float](unsafeUninitializedCapacity: sectorTallies.count) { out, count in
            for k in sectorTallies.indices { out[k] = sectorTallies[k].second }
            count = sectorTallies.count
        }
        let outerNeighbour = [Int32](unsafeUninitializedCapacity: sectorTallies.count) { out, count in
            for k in sectorTallies.indices { out[k] = Swift.max(0, sectorTallies[k].neighbour) }  // −1: a sector without pixels
            count = sectorTallies.count
        }
        // Raw completeness of every cell first: it decides which neighbours are complete.
        var rawComplete = [Bool](repeating: false, count: n + 1)
        for l in 1..<(n + 1) {
            var stained = 0
            for s in 0..<sectors where peak[l * sectors + s] >= threshold { stained += 1 }
            rawComplete[l] = Double(stained) >= p.completeFractionForAttribution * Double(sectors)
        }
        var profiles: [MembraneProfile] = []
        profiles.reserveCapacity(n)
        // Scratch reused from cell to cell: which sectors are the cell's own, the stained own
        // sector values, and the sectors in order of their peaks.
        var own = [Bool](repeating: true, count: sectors)
        var stainedValues: [Double] = []
        stainedValues.reserveCapacity(sectors)
        var order = [UInt64](repeating: 0, count: sectors), unsorted = order
        let p90Rank = min(sectors - 1, Int(0.9 * Double(sectors - 1) + 0.5))
        for l in 1..<(n + 1) {
            let first = l * sectors
            let sectorPeaks = Array(peak[first..<(first + sectors)])
            // Sectors whose outline is shared with a completely stained neighbour are ambiguous.
            var ownCount = sectors
            for s in 0..<sectors { own[s] = true }
            if p.attributeSharedMembranes {
                for s in 0..<sectors {
                    let across = Int(outerNeighbour[first + s])
                    if across > 0 && rawComplete[across] { own[s] = false; ownCount -= 1 }
                }
                if Double(ownCount) < p.minimumOwnSectorFraction * Double(sectors) {
                    for s in 0..<sectors { own[s] = true }
                    ownCount = sectors
                }
            }
            // The sectors sorted once by peak: keys of the peak's bits, then the sector (a peak is
            // never negative, NaN or −0 — it only ever takes values above 0 — so the bits sort
            // as the values do). The keys are distinct, so a key's place is the number of keys
            // below it, counted without a branch: below 2⁶³ all, k′ < k exactly when k′ − k
            // wraps round (its top bit set). A few dozen keys: the counts are vector code, where
            // an insertion sort mispredicted its way through a fifth more time. The stained own
            // values come out of it in ascending order, and the 90th percentile is read off it.
            order.withUnsafeMutableBufferPointer { keys in
            unsorted.withUnsafeMutableBufferPointer { u in
                for s in 0..<sectors { u[s] = UInt64(sectorPeaks[s].bitPattern) &<< 32 | UInt64(s) }
                for i in 0..<sectors {
                    let key = u[i]
                    var rank = 0
                    for j in 0..<sectors { rank &+= Int(truncatingIfNeeded: (u[j] &- key) &>> 63) }
                    keys[rank] = key
                }
            }}
            stainedValues.removeAll(keepingCapacity: true)
            for key in order {
                let s = Int(key & 0xFFFF_FFFF)
                if own[s] && sectorPeaks[s] >= threshold { stainedValues.append(Double(sectorPeaks[s])) }
            }
            let stainedOwn = stainedValues.count
            let completeness = Double(stainedOwn) / Double(max(1, ownCount))
            var longest = 0
            if stainedOwn > 0 {
                if stainedOwn == ownCount {
                    longest = ownCount
                } else {
                    var run = 0
                    for i in 0..<(2 * sectors) {
                        let s = i < sectors ? i : i - sectors  // i mod sectors, without a division
                        if !own[s] { continue }  // ambiguous sectors neither break nor extend an arc
                        if sectorPeaks[s] >= threshold { run += 1; longest = max(longest, run) } else { run = 0 }
                    }
                    longest = min(longest, stainedOwn)
                }
            }
            // Median over the stained sectors: robust to a few sectors lit by a neighbour's band.
            let intensity = stainedValues.isEmpty ? 0
                : (stainedValues[(stainedOwn - 1) / 2] + stainedValues[stainedOwn / 2]) / 2
            let p90 = Double(sectorPeaks[Int(order[p90Rank] & 0xFFFF_FFFF)])
            let tally = cellTallies[l]
            let cellRadius = (Double(tally.area) / .pi).squareRoot()
            let arcLength = completeness * 2 * .pi * cellRadius
            let thickness = arcLength > 0 ? Double(tally.sums.stainedOuter) / arcLength * pixelSize : 0
            profiles.append(MembraneProfile(
                staining: MembraneStaining(intensity: intensity, completeness: completeness,
                                           longestArc: Double(longest) / Double(max(1, ownCount))),
                meanOD: tally.sums.bandCount > 0 ? tally.sums.bandSum / Double(tally.sums.bandCount) : 0, p90OD: p90,
                thicknessMicrons: thickness, cytoplasmOD: tally.sums.cytoCount > 0 ? tally.sums.cytoSum / Double(tally.sums.cytoCount) : 0,
                cellAreaPixels: tally.area, touchesBorder: tally.border, sectorPeaks: sectorPeaks,
                ownSectorPeaks: keepOwnSectorPeaks ? (0..<sectors).compactMap { own[$0] ? sectorPeaks[$0] : nil } : nil))
        }
        clock.lap("membrane.summary")
        return profiles
    }
}

import Foundation
