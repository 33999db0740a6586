import Foundation
@testable import StainScore  // MembraneProfile has no public initialiser

extension Reference {
    /// Where pixel offset (dx, dy) from a nucleus centre falls: its angular sector (angle
    /// atan2(dy, dx) + π, cut into `sectors` equal parts, the last one closed) and its distance.
    /// nil at the centre itself and outside the square window of half-side `reach`, which the
    /// measurer never looks beyond.
    static func membraneSector(dx: Int, dy: Int, reach: Int, sectors: Int) -> (sector: Int, radius: Float)? {
        if dx == 0 && dy == 0 { return nil }
        if abs(dx) > reach || abs(dy) > reach { return nil }
        let angle = atan2(Double(dy), Double(dx)) + .pi
        let sector = min(sectors - 1, Int(angle / (2 * .pi) * Double(sectors)))
        return (sector, Float(Double(dx * dx + dy * dy).squareRoot()))
    }

    /// The membrane measurement by its definition, ported from the plain implementation at
    /// f1b4be7 (`MembraneMeasurer.measure` before its framed-label / lookup-table rewrite):
    /// per-pixel arrays with bounds checks, the sector and radius of each pixel computed on the
    /// spot, and each sector's contributions collected in a list (the value is then the list's
    /// second-highest entry, floor 0) rather than a running top-two.
    ///
    /// Sums (outline band, cytoplasm) are formed in raster order in Double, as the measurer does,
    /// so every field is expected to be identical, not merely close.
    static func measureMembranes(cells: LabelImage, nuclei: NucleusDetection, dab: Plane<Float>, tissue: Plane<UInt8>,
                                 pixelSize: Double, stainedThreshold: Double, maximumRadiusPixels: Double,
                                 parameters p: MembraneParameters) -> [MembraneProfile] {
        let w = cells.width, h = cells.height, n = cells.count
        let sectors = max(4, p.sectors)
        let reach = Int(maximumRadiusPixels.rounded(.up)) + 2
        let threshold = Float(stainedThreshold)
        let outerFraction = Float(p.outerFraction)
        // Label l (1…n) belongs to nucleus l − 1; its centre is the rounded centroid.
        func centre(_ l: Int) -> (x: Int, y: Int) {
            (Int(nuclei.nuclei[l - 1].x.rounded()), Int(nuclei.nuclei[l - 1].y.rounded()))
        }
        func sectorOf(label l: Int, x: Int, y: Int) -> (sector: Int, radius: Float)? {
            let c = centre(l)
            return membraneSector(dx: x - c.x, dy: y - c.y, reach: reach, sectors: sectors)
        }
        func cell(_ x: Int, _ y: Int) -> Int { Int(cells[x, y]) }
        func inImage(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < w && y < h }
        // Left, right, up, down: the order in which "the cell across the outline" is sought.
        func neighbours(_ x: Int, _ y: Int) -> [(Int, Int)] { [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] }

        // Pass 1, per labelled pixel: area and border contact; on tissue, the sector's outline
        // distance (its farthest pixel) and the cell across the outline at the first pixel, in
        // raster order, that reaches that distance.
        var area = [Int](repeating: 0, count: n + 1)
        var border = [Bool](repeating: false, count: n + 1)
        var outer = [[Float]](repeating: [Float](repeating: 0, count: sectors), count: n + 1)
        var across = [[Int]](repeating: [Int](repeating: 0, count: sectors), count: n + 1)
        for y in 0..<h {
            for x in 0..<w {
                let l = cell(x, y)
                if l <= 0 { continue }
                area[l] += 1
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 { border[l] = true }
                if tissue[x, y] == 0 { continue }
                guard let place = sectorOf(label: l, x: x, y: y) else { continue }
                let s = place.sector, r = place.radius
                if r > outer[l][s] {
                    outer[l][s] = r
                    across[l][s] = 0
                    for (nx, ny) in neighbours(x, y) where inImage(nx, ny) {
                        let m = cell(nx, ny)
                        if m > 0 && m != l { across[l][s] = m; break }
                    }
                }
            }
        }

        // Pass 2, per labelled tissue pixel with DAB v:
        // - it is on its cell's outline when a 4-neighbour is off the image or in another label;
        // - for every 4-neighbour in another cell m, v also counts in m's sector at this pixel
        //   (the membrane ridge belongs to both) — once per such neighbour;
        // - in its own sector, beyond edge + outerFraction·(outline − edge) from the centre it
        //   counts towards the sector value (and the stained area when ≥ threshold); nearer in
        //   and outside its own nucleus it is cytoplasm.
        var contributions = [[[Float]]](repeating: [[Float]](repeating: [], count: sectors), count: n + 1)
        var band = [[Float]](repeating: [], count: n + 1)
        var cytoplasm = [[Float]](repeating: [], count: n + 1)
        var stainedOuter = [Int](repeating: 0, count: n + 1)
        for y in 0..<h {
            for x in 0..<w {
                let l = cell(x, y)
                if l <= 0 || tissue[x, y] == 0 { continue }
                let v = dab[x, y]
                var onOutline = false
                for (nx, ny) in neighbours(x, y) {
                    guard inImage(nx, ny) else { onOutline = true; continue }
                    let m = cell(nx, ny)
                    if m == l { continue }
                    onOutline = true
                    if m > 0, let place = sectorOf(label: m, x: x, y: y) { contributions[m][place.sector].append(v) }
                }
                if onOutline { band[l].append(v) }
                guard let place = sectorOf(label: l, x: x, y: y) else { continue }
                let s = place.sector, r = place.radius
                let edge = Float(nuclei.nuclei[l - 1].equivalentRadius)
                let inner = edge + outerFraction * max(0, outer[l][s] - edge)
                if r >= inner {
                    contributions[l][s].append(v)
                    if v >= threshold { stainedOuter[l] += 1 }
                } else if Int(nuclei.labels[x, y]) != l {
                    cytoplasm[l].append(v)
                }
            }
        }

        // Sector value: the second-highest contribution, counting two zeros in from the start
        // (no contribution, one, or only negative ones give 0).
        func secondHighest(_ values: [Float]) -> Float { (values + [0, 0]).sorted(by: >)[1] }
        func mean(_ values: [Float]) -> Double {
            var sum = 0.0
            for v in values { sum += Double(v) }
            return values.isEmpty ? 0 : sum / Double(values.count)
        }
        var value = [[Float]](repeating: [], count: n + 1)
        for l in 1..<(n + 1) { value[l] = contributions[l].map(secondHighest) }
        // A cell is completely stained when enough of all its sectors reach the threshold.
        var complete = [Bool](repeating: false, count: n + 1)
        for l in 1..<(n + 1) {
            let stained = value[l].filter { $0 >= threshold }.count
            complete[l] = Double(stained) >= p.completeFractionForAttribution * Double(sectors)
        }

        var profiles: [MembraneProfile] = []
        for l in 1..<(n + 1) {
            let peaks = value[l]
            let stained = peaks.map { $0 >= threshold }
            // Own sectors: those whose outline is not shared with a completely stained cell —
            // all of them when attribution is off or too few would remain.
            var own = [Bool](repeating: true, count: sectors)
            if p.attributeSharedMembranes {
                own = (0..<sectors).map { s in !(across[l][s] > 0 && complete[across[l][s]]) }
                if Double(own.filter { $0 }.count) < p.minimumOwnSectorFraction * Double(sectors) {
                    own = [Bool](repeating: true, count: sectors)
                }
            }
            let ownSectors = (0..<sectors).filter { own[$0] }
            let stainedOwn = ownSectors.filter { stained[$0] }
            let completeness = Double(stainedOwn.count) / Double(max(1, ownSectors.count))
            // Longest arc: the longest circular run of stained sectors in the sequence of own
            // sectors (the others are skipped), by trying every start.
            var longest = 0
            for start in 0..<ownSectors.count {
                var run = 0
                while run < ownSectors.count && stained[ownSectors[(start + run) % ownSectors.count]] { run += 1 }
                longest = max(longest, run)
            }
            // Intensity: median of the stained own sector values.
            let stainedValues = stainedOwn.map { Double(peaks[$0]) }.sorted()
            var intensity = 0.0
            if !stainedValues.isEmpty {
                let c = stainedValues.count
                intensity = c % 2 == 1 ? stainedValues[c / 2] : (stainedValues[c / 2 - 1] + stainedValues[c / 2]) / 2
            }
            // p90: the sorted sector value at rank round(0.9 · (sectors − 1)).
            let p90 = Double(peaks.sorted()[min(sectors - 1, Int(0.9 * Double(sectors - 1) + 0.5))])
            // Thickness: stained outer area over the stained length of the equal-area circle.
            let cellRadius = (Double(area[l]) / .pi).squareRoot()
            let arcLength = completeness * 2 * .pi * cellRadius
            let thickness = arcLength > 0 ? Double(stainedOuter[l]) / arcLength * pixelSize : 0
            profiles.append(MembraneProfile(
                staining: MembraneStaining(intensity: intensity, completeness: completeness,
                                           longestArc: Double(longest) / Double(max(1, ownSectors.count))),
                meanOD: mean(band[l]), p90OD: p90, thicknessMicrons: thickness, cytoplasmOD: mean(cytoplasm[l]),
                cellAreaPixels: area[l], touchesBorder: border[l], sectorPeaks: peaks))
        }
        return profiles
    }
}
