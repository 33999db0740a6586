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
                    smoothContrast: Plane<Float>, pixelSize: Double, parameters p: MembraneRingParameters) -> Int {
        let w = dab.width, h = dab.height, n = w * h
        guard p.enabled, w > 2, h > 2 else { return 0 }
        let level = Float(p.stainedOD)
        // Membrane: stained, but not inside a stained square wider than a membrane (the grey
        // opening of the DAB reaches `level` exactly where such a square covers the pixel).
        let blobRadius = Swift.max(1, Int((p.maximumMembraneWidthMicrons / 2 / pixelSize).rounded(.up)))
        let blobs = RankFilter.opening(dab, radius: blobRadius)
        let open = Plane<UInt8>(width: w, height: h) { o in
            dab.values.withUnsafeBufferPointer { d in
            blobs.values.withUnsafeBufferPointer { b in
                for i in 0..<n { o[i] = d[i] >= level && b[i] < level ? 0 : 1 }
            }}
        }
        let (holes, count) = ConnectedComponents.label(open, connectivity: 4)
        guard count > 0 else { return 0 }
        // Per enclosed region: area, tissue pixels, whether it reaches the image edge (not
        // closed there) or holds a seed, and its interior pixel of strongest contrast.
        var area = [Int](repeating: 0, count: count + 1), tissuePixels = area
        var unusable = [Bool](repeating: false, count: count + 1)
        var peak = [Int](repeating: -1, count: count + 1)
        var peakValue = [Float](repeating: -.infinity, count: count + 1)
        for s in seeds { unusable[Int(holes.values[s])] = true }
        holes.values.withUnsafeBufferPointer { hv in
        tissue.values.withUnsafeBufferPointer { t in
        smoothContrast.values.withUnsafeBufferPointer { c in
            for y in 0..<h {
                for x in 0..<w {
                    let i = y &* w &+ x, k = Int(hv[i])
                    if k == 0 { continue }
                    area[k] &+= 1
                    if t[i] != 0 { tissuePixels[k] &+= 1 }
                    if x == 0 || y == 0 || x == w &- 1 || y == h &- 1 { unusable[k] = true; continue }
                    // Interior pixels only: the hole's edge is the membrane's flank.
                    let interior = hv[i &- 1] == hv[i] && hv[i &+ 1] == hv[i] && hv[i &- w] == hv[i] && hv[i &+ w] == hv[i]
                    if interior && c[i] > peakValue[k] { peakValue[k] = c[i]; peak[k] = i }
                }
            }
        }}}
        let pixelArea = pixelSize * pixelSize
        let radius = p.nucleusRadiusMicrons / pixelSize, reach = Int(radius.rounded(.up))
        let radiusSquared = radius * radius
        var added = 0
        for k in 1..<(count + 1) where !unusable[k] && peak[k] >= 0 {
            let a = Double(area[k]) * pixelArea
            guard a >= p.minimumAreaMicrons2, a <= p.maximumAreaMicrons2,
                  Double(tissuePixels[k]) >= p.minimumTissueFraction * Double(area[k]),
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
}
