import CImageIO
/// Marker-controlled watershed by flooding, with a bucket queue over 256 quantised levels.
///
/// Each marker region grows into unlabelled, allowed pixels in order of increasing level;
/// within a level pixels are taken first-in first-out, so on a flat landscape the regions
/// meet half-way (a geodesic Voronoi). Every pixel is queued at most once: linear time, and
/// deterministic (fixed neighbour order, FIFO ties). Levels run 0…254: a pixel at level 255
/// is flooded as 254.
public enum Watershed {
    /// Floods `labels` (positive = marker, 0 = to fill, negative = forbidden) over `levels`.
    ///
    /// - `centres`, `radii`: when given (indexed by label − 1, in pixels), a label only claims
    ///   pixels within its radius of its centre.
    /// - `ridgeStop`: when given, a region that has climbed to a level ≥ `ridgeStop` does not
    ///   claim a pixel whose own level is below half the level it is flooding at: it does not
    ///   run down the far side of a ridge (a cell stops at its stained membrane instead of
    ///   spilling into the stroma beyond).
    public static func flood(levels: Plane<UInt8>, labels: inout Plane<Int32>,
                             centres: [SIMD2<Float>]? = nil, radii: [Float]? = nil, ridgeStop: UInt8? = nil) {
        precondition(labels.width == levels.width && labels.height == levels.height)
        guard labels.count > 0 else { return }
        labels.values.withUnsafeMutableBufferPointer { out in
            flood(levels: levels, markers: UnsafePointer(out.baseAddress!), into: out.baseAddress!,
                  centres: centres, radii: radii, ridgeStop: ridgeStop)
        }
    }

    /// `flood` of a copy of `markers`, returned: the markers are copied in the flood's first
    /// pass over the pixels, where a caller's `var labels = markers` followed by `flood` copies
    /// the whole plane first (when `markers` is shared, as a detection's labels are).
    public static func flooded(levels: Plane<UInt8>, markers: Plane<Int32>,
                               centres: [SIMD2<Float>]? = nil, radii: [Float]? = nil, ridgeStop: UInt8? = nil) -> Plane<Int32> {
        precondition(markers.width == levels.width && markers.height == levels.height)
        guard markers.count > 0 else { return markers }
        return Plane<Int32>(width: markers.width, height: markers.height, initializingWith: { out in  // every value written
            markers.values.withUnsafeBufferPointer { m in
                flood(levels: levels, markers: m.baseAddress!, into: out, centres: centres, radii: radii, ridgeStop: ridgeStop)
            }
        })
    }

    /// The flood of `markers` into `out` (both `levels`' size, not empty; the same buffer for a
    /// flood in place).
    static func flood(levels: Plane<UInt8>, markers: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int32>,
                      centres: [SIMD2<Float>]?, radii: [Float]?, ridgeStop: UInt8?) {
        let w = levels.width, h = levels.height
        precondition(w < 65534 && h < 65534, "Watershed.flood packs coordinates in 16 bits")
        // One byte per pixel on a grid with a one-pixel frame: the pixel's level while it is
        // free, `taken` (255) once labelled, forbidden or on the frame. One load tells both
        // whether a neighbour is free and its level, and the frame removes every bounds check.
        // Level 255 is therefore flooded as 254 (the top of the scale: saturated stain).
        let taken: UInt8 = 255
        let gw = w &+ 2, gh = h &+ 2
        // The frame is written here and the inside below: no pass fills the whole grid first.
        var grid = [UInt8](unsafeUninitializedCapacity: gw &* gh) { buffer, count in
            // The inside is written by the first loop of the flood.
            FramedBuffer.initializeFrame(buffer.baseAddress!, width: w, height: h, value: taken)
            count = gw &* gh
        }
        let queue = LevelQueues()
        let useRadius = centres != nil && radii != nil
        let centreList = centres ?? []
        let radius2 = (radii ?? []).map { $0 * $0 }
        let stopLevel = ridgeStop.map { Int($0) } ?? Int.max
        grid.withUnsafeMutableBufferPointer { gb in
        centreList.withUnsafeBufferPointer { cp in
        radius2.withUnsafeBufferPointer { rp in
        levels.values.withUnsafeBufferPointer { src in
            let lv = gb.baseAddress!
            @inline(__always) func level(_ i: Int, marker: Int32) -> UInt8 {
                let l = src[i]
                return marker == 0 ? (l == taken ? taken &- 1 : l) : taken
            }
            // One loop per case: in place, copying the markers would store each label over itself.
            if markers == UnsafePointer(out) {
                for y in 0..<h {
                    let row = y &* w, grow = (y &+ 1) &* gw &+ 1
                    for x in 0..<w { lv[grow &+ x] = level(row &+ x, marker: out[row &+ x]) }
                }
            } else {
                for y in 0..<h {
                    let row = y &* w, grow = (y &+ 1) &* gw &+ 1
                    for x in 0..<w {
                        let m = markers[row &+ x]
                        out[row &+ x] = m
                        lv[grow &+ x] = level(row &+ x, marker: m)
                    }
                }
            }
            // Level 0 can never hold more entries than the pixels at level 0 (its free pixels are
            // queued once each, its markers at most once): its FIFO is made that large at once.
            // On the cell flood's flat landscape it holds most of the flood, and growing it by
            // doublings copied it about once over.
            queue.reserve(level: 0, capacity: zeroCount(src.baseAddress!, src.count))
            // A queue entry packs the grid x (16 bits), y (16 bits) and the label (32 bits).
            @inline(__always) func entry(_ gx: Int, _ gy: Int, _ label: Int32) -> UInt64 {
                UInt64(truncatingIfNeeded: gx) | (UInt64(truncatingIfNeeded: gy) &<< 16) | (UInt64(UInt32(bitPattern: label)) &<< 32)
            }
            // Seed: marker pixels at their own level, in row-major order. A marker pixel whose
            // four neighbours are all taken can never claim anything and is left out.
            for y in 0..<h {
                let row = y &* w, grow = (y &+ 1) &* gw &+ 1
                for x in 0..<w where out[row &+ x] > 0 {
                    let g = grow &+ x
                    if lv[g &- 1] == taken && lv[g &+ 1] == taken && lv[g &- gw] == taken && lv[g &+ gw] == taken { continue }
                    queue.push(entry(x &+ 1, y &+ 1, out[row &+ x]), level: Int(src[row &+ x]))
                }
            }
            for level in 0..<256 {
                // The current level is drained from locals: pushes at this level append to
                // them, pushes above go to the queue.
                var (buffer, count, capacity) = queue.take(level: level)
                var head = 0
                while head < count {
                    let e = buffer[head]
                    // The fronts of every cell advance together, so consecutive pops lie far
                    // apart: ask for the neighbourhood of the pixel popped 16 pops from now.
                    if head &+ 16 < count {
                        let f = buffer[head &+ 16]
                        let fx = Int(f & 0xFFFF), fy = Int((f &>> 16) & 0xFFFF)
                        let fg = fy &* gw &+ fx
                        iio_prefetch_write(lv + (fg &- gw))
                        iio_prefetch_write(lv + fg)
                        iio_prefetch_write(lv + (fg &+ gw))
                        iio_prefetch_write(out + ((fy &- 1) &* w &+ fx &- 1))
                    }
                    head &+= 1
                    let gx = Int(e & 0xFFFF), gy = Int((e &>> 16) & 0xFFFF)
                    let label = Int32(bitPattern: UInt32(truncatingIfNeeded: e &>> 32))
                    // A neighbour's grid index, label index and queue entry are the popped
                    // pixel's plus a constant, and its offsets from the label's centre are
                    // among three per axis (each formed as before: Float(x) − cx).
                    let gp = gy &* gw &+ gx, op = (gy &- 1) &* w &+ gx &- 1
                    var dxl: Float = 0, dx0: Float = 0, dxr: Float = 0, dyu: Float = 0, dy0: Float = 0, dyd: Float = 0
                    var r2: Float = .infinity
                    if useRadius {
                        let k = Int(label) &- 1
                        let cx = cp[k].x, cy = cp[k].y
                        r2 = rp[k]
                        dxl = Float(gx &- 2) - cx; dx0 = Float(gx &- 1) - cx; dxr = Float(gx) - cx
                        dyu = Float(gy &- 2) - cy; dy0 = Float(gy &- 1) - cy; dyd = Float(gy) - cy
                    }
                    // The branch hints say what a profile of the cell flood measures: most
                    // neighbours are taken already (a pixel is claimed once and looked at from four
                    // sides), the ridge and radius limits rarely stop a claim, and a claim mostly
                    // stays at the current level. They lay the four visits out straight, the claim
                    // out of line; they change no result.
                    @inline(__always) func visit(_ dg: Int, _ dout: Int, _ dentry: UInt64, _ dx: Float, _ dy: Float) {
                        let g = gp &+ dg
                        let ql = Int(lv[g])
                        if _fastPath(ql == Int(taken)) { return }
                        if _slowPath(level >= stopLevel && ql &* 2 < level) { return }
                        if _slowPath(useRadius && dx * dx + dy * dy > r2) { return }
                        lv[g] = taken
                        out[op &+ dout] = label
                        let v = e &+ dentry
                        if _slowPath(ql > level) {
                            queue.push(v, level: ql)
                        } else {
                            if _slowPath(count == capacity) { (buffer, capacity) = LevelQueues.grow(buffer, count: count, capacity: capacity) }
                            buffer[count] = v
                            count &+= 1
                        }
                    }
                    // 4-neighbours in fixed order: left, right, up, down (an entry's x is its
                    // low 16 bits, y the next 16; neither wraps: the frame is never queued).
                    visit(-1, -1, UInt64.max, dxl, dy0)
                    visit(1, 1, 1, dxr, dy0)
                    visit(-gw, -w, 0 &- (1 &<< 16), dx0, dyu)
                    visit(gw, w, 1 &<< 16, dx0, dyd)
                }
                buffer.deallocate()
            }
        }}}}
    }

    /// How many of the `count` bytes at `p` are 0, eight at a time: the bytes of a word whose top
    /// bit `ByteFlags.nonZeroTops` leaves clear.
    static func zeroCount(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var total = 0, i = 0
        while i &+ 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            total &+= 8 &- ByteFlags.nonZeroTops(v).nonzeroBitCount
            i &+= 8
        }
        while i < count { total &+= p[i] == 0 ? 1 : 0; i &+= 1 }
        return total
    }

    /// Quantises `plane` linearly from [low, high] to 0…255 (clamped, rounded half up); levels
    /// below `zeroBelow` (after any inversion) become 0, in the same pass. NaN maps to level 0
    /// (255 inverted).
    ///
    /// The level is ⌊v + 0.5⌋ of the clamped value by `floorByte` (no Float→integer conversion,
    /// so the loop vectorises): the levels of `UInt8(Int32(v + 0.5))`.
    public static func quantise(_ plane: Plane<Float>, low: Float, high: Float, invert: Bool = false,
                                zeroBelow: UInt8 = 0) -> Plane<UInt8> {
        let scale = 255 / max(1e-6, high - low)
        return Plane<UInt8>(width: plane.width, height: plane.height) { dst in
            plane.values.withUnsafeBufferPointer { src in
                for i in 0..<src.count {
                    var v = (src[i] - low) * scale
                    v = min(255, max(0, v))
                    if invert { v = 255 - v }
                    let level = floorByte(v + 0.5)
                    dst[i] = level < zeroBelow ? 0 : level
                }
            }
        }
    }
}
