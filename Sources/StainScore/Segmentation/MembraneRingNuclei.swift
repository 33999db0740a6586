/// Parameters of the search for nuclei hidden under membrane stain (lengths in µm, OD in log10
/// units).
///
/// Where HER2 membranes are intensely stained, the DAB over and around a tumour cell can leave
/// so little hematoxylin contrast in its nucleus that no blob detector finds it — yet the cell
/// is plainly there: a pale hole closed by a ring of stained membrane. Such a closed ring of the
/// size of a cell, holding no detected nucleus, is taken as one: its nucleus is placed at the
/// hole's strongest hematoxylin contrast.
public struct MembraneRingParameters: Sendable, Hashable, Codable {
    /// Look for nuclei in closed rings of stained membrane at all.
    public var enabled = true
    /// DAB OD at or above which a pixel is stained membrane that closes a ring (the cell flood's
    /// `ridgeStopOD`).
    public var stainedOD: Double = 0.15
    /// Stained structures that hold a square of this side (µm) are not membrane but a stained
    /// blob — a DAB-positive nucleus, brown cytoplasm — and close no ring: membranes are 1–2 µm
    /// wide, a nucleus 5–10 µm.
    public var maximumMembraneWidthMicrons: Double = 4
    /// Area (µm²) of the region a ring encloses for it to be one cell: a tumour cell is
    /// 25–700 µm² (the cell flood's enclosed-basin limits).
    public var minimumAreaMicrons2: Double = 25
    public var maximumAreaMicrons2: Double = 700
    /// At least this fraction of the enclosed region must be tissue: a small gland lumen is
    /// also closed by stained membrane, but it is glass.
    public var minimumTissueFraction: Double = 0.9
    /// The nucleus placed in a ring: the enclosed pixels within this radius (µm) of the hole's
    /// strongest hematoxylin contrast (a 3.5 µm radius is a 38 µm² nucleus, a typical tumour
    /// nucleus seen at 20×).
    public var nucleusRadiusMicrons: Double = 3.5
    /// The hole's strongest smoothed hematoxylin contrast must reach this: a ring around a
    /// vacuole or a fold of pale cytoplasm holds no hematoxylin at all.
    public var minimumContrastOD: Double = 0.02
    public init() {}
}

/// Finds the closed rings of stained membrane that hold no detected nucleus and places one
/// in each (see `MembraneRingParameters`).
enum MembraneRingNuclei {
    /// Adds a nucleus region to `labels` (−1 outside the nucleus mask, 0 unflooded, seeds
    /// 1…`seedCount`) for every closed ring of stained membrane of a cell's size that holds none
    /// of the `seeds` (pixel indices), numbered from `seedCount + 1`; returns how many were
    /// added. The new region takes its pixels whatever they were: a seed's watershed region
    /// reaching into a ring that holds no seed has crossed a stained membrane, which no nucleus
    /// does. `smoothContrast` is the smoothed background-subtracted hematoxylin.
    static func add(to labels: inout Plane<Int32>, seeds: [Int], seedCount: Int, dab: Plane<Float>, tissue: Plane<UInt8>,
                    smoothContrast: Plane<Float>, pixelSize: Double, parameters p: MembraneRingParameters,
                    clock: StageClock? = nil) -> Int {
        let w = dab.width, h = dab.height, n = w * h
        guard p.enabled, w > 2, h > 2 else { return 0 }
        let level = Float(p.stainedOD)
        // Membrane: stained, but not inside a stained square wider than a membrane (a binary
        // opening of the stained pixels; outside the image counts as unstained).
        let blobRadius = Swift.max(1, Int((p.maximumMembraneWidthMicrons / 2 / pixelSize).rounded(.up)))
        var stained = [UInt8](repeating: 0, count: n)
        var stainedCount = 0
        dab.values.withUnsafeBufferPointer { d in
            for i in 0..<n {
                let v: UInt8 = d[i] >= level ? 1 : 0
                stained[i] = v
                stainedCount &+= Int(v)
            }
        }
        // A ring round the smallest cell is longer than this: no stain, no ring.
        let shortestRing = Int((4 * (p.minimumAreaMicrons2 / (pixelSize * pixelSize)).squareRoot()).rounded(.down))
        if stainedCount < shortestRing { return 0 }
        let blobs = dilate(erode(stained, width: w, height: h, radius: blobRadius), width: w, height: h, radius: blobRadius)
        let open = Plane<UInt8>(width: w, height: h) { o in
            for i in 0..<n { o[i] = stained[i] & (1 &- blobs[i]) ^ 1 }
        }
        clock.lap("nuclei.rings.opening")
        let (holes, count) = ConnectedComponents.label(open, connectivity: 4)
        clock.lap("nuclei.rings.components")
        guard count > 0 else { return 0 }
        let pixelArea = pixelSize * pixelSize
        // Candidates: enclosed regions of a cell's area that reach no image edge and hold no seed.
        var area = [Int32](repeating: 0, count: count + 1)
        holes.values.withUnsafeBufferPointer { hv in
            for i in 0..<n { area[Int(hv[i])] &+= 1 }
        }
        var candidate = [UInt8](repeating: 0, count: count + 1)
        for k in 1..<(count + 1) {
            let a = Double(area[k]) * pixelArea
            if a >= p.minimumAreaMicrons2 && a <= p.maximumAreaMicrons2 { candidate[k] = 1 }
        }
        for s in seeds { candidate[Int(holes.values[s])] = 0 }
        for x in 0..<w { candidate[Int(holes.values[x])] = 0; candidate[Int(holes.values[(h - 1) * w + x])] = 0 }
        for y in 0..<h { candidate[Int(holes.values[y * w])] = 0; candidate[Int(holes.values[y * w + w - 1])] = 0 }
        candidate[0] = 0
        // Per candidate: tissue pixels and its interior pixel of strongest contrast.
        var tissuePixels = [Int32](repeating: 0, count: count + 1)
        var peak = [Int](repeating: -1, count: count + 1)
        var peakValue = [Float](repeating: -.infinity, count: count + 1)
        holes.values.withUnsafeBufferPointer { hv in
        tissue.values.withUnsafeBufferPointer { t in
        smoothContrast.values.withUnsafeBufferPointer { c in
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    let i = y &* w &+ x, k = Int(hv[i])
                    if candidate[k] == 0 { continue }
                    if t[i] != 0 { tissuePixels[k] &+= 1 }
                    // Interior pixels only: the hole's edge is the membrane's flank.
                    let interior = hv[i &- 1] == hv[i] && hv[i &+ 1] == hv[i] && hv[i &- w] == hv[i] && hv[i &+ w] == hv[i]
                    if interior && c[i] > peakValue[k] { peakValue[k] = c[i]; peak[k] = i }
                }
            }
        }}}
        clock.lap("nuclei.rings.scan")
        let radius = p.nucleusRadiusMicrons / pixelSize, reach = Int(radius.rounded(.up))
        let radiusSquared = radius * radius
        var added = 0
        for k in 1..<(count + 1) where candidate[k] != 0 && peak[k] >= 0 {
            guard Double(tissuePixels[k]) >= p.minimumTissueFraction * Double(area[k]),
                  Double(peakValue[k]) >= p.minimumContrastOD else { continue }
            let label = Int32(seedCount &+ added &+ 1)
            let px = peak[k] % w, py = peak[k] / w
            for y in Swift.max(0, py &- reach)...Swift.min(h &- 1, py &+ reach) {
                for x in Swift.max(0, px &- reach)...Swift.min(w &- 1, px &+ reach) {
                    let dx = Double(x &- px), dy = Double(y &- py)
                    let i = y &* w &+ x
                    if dx * dx + dy * dy <= radiusSquared, Int(holes.values[i]) == k { labels.values[i] = label }
                }
            }
            added &+= 1
        }
        return added
    }

    /// Binary erosion of a 0/1 image by a (2r + 1)² square, rows then columns; pixels outside
    /// the image count as 0.
    static func erode(_ image: [UInt8], width w: Int, height h: Int, radius r: Int) -> [UInt8] {
        morph(image, width: w, height: h, radius: r, erode: true)
    }

    /// Binary dilation of a 0/1 image by a (2r + 1)² square, rows then columns.
    static func dilate(_ image: [UInt8], width w: Int, height h: Int, radius r: Int) -> [UInt8] {
        morph(image, width: w, height: h, radius: r, erode: false)
    }

    private static func morph(_ image: [UInt8], width w: Int, height h: Int, radius r: Int, erode: Bool) -> [UInt8] {
        // Rows: each offset combined over the whole row (a loop that vectorises).
        var rows = [UInt8](repeating: erode ? 1 : 0, count: w * h)
        image.withUnsafeBufferPointer { src in
        rows.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let row = y &* w
                for d in -r...r {
                    let lo = Swift.max(0, -d), hi = Swift.min(w, w &- d)
                    if erode {
                        // Outside the image is 0: the pixels whose window leaves it are eroded.
                        if lo > 0 { for x in 0..<lo { dst[row &+ x] = 0 } }
                        if hi < w { for x in hi..<w { dst[row &+ x] = 0 } }
                        if lo < hi { for x in lo..<hi { dst[row &+ x] &= src[row &+ x &+ d] } }
                    } else if lo < hi {
                        for x in lo..<hi { dst[row &+ x] |= src[row &+ x &+ d] }
                    }
                }
            }
        }}
        var out = [UInt8](repeating: erode ? 1 : 0, count: w * h)
        rows.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let row = y &* w
                for d in -r...r {
                    let from = y &+ d
                    if from < 0 || from >= h {
                        if erode { for x in 0..<w { dst[row &+ x] = 0 } }
                        continue
                    }
                    let other = from &* w
                    if erode { for x in 0..<w { dst[row &+ x] &= src[other &+ x] } }
                    else { for x in 0..<w { dst[row &+ x] |= src[other &+ x] } }
                }
            }
        }}
        return out
    }
}
