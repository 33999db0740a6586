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
                               parameters p: MembraneParameters) -> [MembraneProfile] {
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
        cells.labels.values.withUnsafeBufferPointer { lab in
            nuclei.labels.labels.values.withUnsafeBufferPointer { nuc in
                tissue.values.withUnsafeBufferPointer { tis in
                dab.values.withUnsafeBufferPointer { d in
                    // Pass 1: outline distance per sector, area, border contact.
                    for y in 0..<h {
                        for x in 0..<w {
                            let l = Int(lab[y &* w &+ x])
                            if l <= 0 { continue }
                            area[l] &+= 1
                            if x == 0 || y == 0 || x == w &- 1 || y == h &- 1 { border[l] = true }
                            if tis[y &* w &+ x] == 0 { continue }  // glass / pale: no membrane here
                            let ox = x &- cx[l &- 1] &+ reach, oy = y &- cy[l &- 1] &+ reach
                            if ox < 0 || oy < 0 || ox >= side || oy >= side { continue }
                            let s = Int(sectorOf[oy &* side &+ ox])
                            if s < 0 { continue }
                            let r = radiusOf[oy &* side &+ ox]
                            if r > outer[l &* sectors &+ s] {
                                outer[l &* sectors &+ s] = r
                                // Which cell lies across the outline here (0: none).
                                let p = y &* w &+ x
                                var across: Int32 = 0
                                if x > 0, lab[p &- 1] > 0, Int(lab[p &- 1]) != l { across = lab[p &- 1] }
                                else if x < w &- 1, lab[p &+ 1] > 0, Int(lab[p &+ 1]) != l { across = lab[p &+ 1] }
                                else if y > 0, lab[p &- w] > 0, Int(lab[p &- w]) != l { across = lab[p &- w] }
                                else if y < h &- 1, lab[p &+ w] > 0, Int(lab[p &+ w]) != l { across = lab[p &+ w] }
                                outerNeighbour[l &* sectors &+ s] = across
                            }
                        }
                    }
                    // Pass 2: sector peaks over the outer part, outline band, cytoplasm.
                    for y in 0..<h {
                        for x in 0..<w {
                            let p = y &* w &+ x
                            let l = Int(lab[p])
                            if l <= 0 || tis[p] == 0 { continue }
                            let v = d[p]
                            var onOutline = false
                            for k in 0..<4 {
                                var q = -1
                                switch k {
                                case 0: if x > 0 { q = p &- 1 }
                                case 1: if x < w &- 1 { q = p &+ 1 }
                                case 2: if y > 0 { q = p &- w }
                                default: if y < h &- 1 { q = p &+ w }
                                }
                                if q < 0 { onOutline = true; continue }
                                let m = Int(lab[q])
                                if m == l { continue }
                                onOutline = true
                                if m > 0 {
                                    // This pixel lies just across neighbour m's outline.
                                    let ox = x &- cx[m &- 1] &+ reach, oy = y &- cy[m &- 1] &+ reach
                                    if ox >= 0 && oy >= 0 && ox < side && oy < side {
                                        let s = Int(sectorOf[oy &* side &+ ox])
                                        if s >= 0 {
                                            let k = m &* sectors &+ s
                                            if v > peak[k] { second[k] = peak[k]; peak[k] = v } else if v > second[k] { second[k] = v }
                                        }
                                    }
                                }
                            }
                            if onOutline { bandSum[l] += Double(v); bandCount[l] &+= 1 }
                            let ox = x &- cx[l &- 1] &+ reach, oy = y &- cy[l &- 1] &+ reach
                            if ox < 0 || oy < 0 || ox >= side || oy >= side { continue }
                            let s = Int(sectorOf[oy &* side &+ ox])
                            if s < 0 { continue }
                            let r = radiusOf[oy &* side &+ ox]
                            let edge = rn[l &- 1]
                            let inner = edge + outerFraction * max(0, outer[l &* sectors &+ s] - edge)
                            if r >= inner {
                                let k = l &* sectors &+ s
                                if v > peak[k] { second[k] = peak[k]; peak[k] = v } else if v > second[k] { second[k] = v }
                                if v >= threshold { stainedOuter[l] &+= 1 }
                            } else if Int(nuc[p]) != l {
                                cytoSum[l] += Double(v); cytoCount[l] &+= 1
                            }
                        }
                    }
                }
                }
            }
        }
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
        return profiles
    }
}

import Foundation
