/// Integer-factor reduction by box averaging (as QuPath analyses 40× scans at 20×).
public enum Downsample {
    /// Averages each `factor × factor` block of RGB (rounded); a partial last row/column block
    /// is dropped. The pixel size is multiplied by `factor`.
    public static func box(_ image: RGBImage, factor: Int) -> RGBImage {
        guard factor > 1 else { return image }
        let w = image.width / factor, h = image.height / factor
        var out = [UInt8](repeating: 0, count: w * h * 3)
        let area = UInt32(factor * factor)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
                        for dy in 0..<factor {
                            var i = ((y &* factor &+ dy) &* image.width &+ x &* factor) &* 3
                            for _ in 0..<factor {
                                r &+= UInt32(src[i]); g &+= UInt32(src[i &+ 1]); b &+= UInt32(src[i &+ 2])
                                i &+= 3
                            }
                        }
                        let o = (y &* w &+ x) &* 3
                        dst[o] = UInt8(truncatingIfNeeded: (r &+ area / 2) / area)
                        dst[o &+ 1] = UInt8(truncatingIfNeeded: (g &+ area / 2) / area)
                        dst[o &+ 2] = UInt8(truncatingIfNeeded: (b &+ area / 2) / area)
                    }
                }
            }
        }
        let size = image.pixelSize.map { PixelSize(x: $0.x * Double(factor), y: $0.y * Double(factor), source: $0.source) }
        return RGBImage(width: w, height: h, pixels: out, pixelSize: size)
    }

    /// Averages each `factor × factor` block of a plane; the partial blocks at the right and
    /// bottom edges are averaged over the pixels they have, so the result is
    /// ⌈width / factor⌉ × ⌈height / factor⌉ and covers every pixel.
    public static func box(_ plane: Plane<Float>, factor: Int) -> Plane<Float> {
        guard factor > 1 else { return plane }
        let w = plane.width, h = plane.height
        let cw = (w + factor - 1) / factor, ch = (h + factor - 1) / factor
        var out = Plane<Float>(width: cw, height: ch, repeating: 0)
        let block = factor == 2 ? [] : (0..<w).map { $0 / factor }
        plane.values.withUnsafeBufferPointer { src in
        block.withUnsafeBufferPointer { block in
        out.values.withUnsafeMutableBufferPointer { dst in
            for cy in 0..<ch {
                let y0 = cy &* factor, y1 = Swift.min(h, y0 &+ factor)
                let row = cy &* cw
                // Column sums of the block rows, then block sums along the row.
                for y in y0..<y1 {
                    let line = y &* w
                    if factor == 2 {
                        for cx in 0..<(w / 2) { dst[row &+ cx] += src[line &+ 2 &* cx] + src[line &+ 2 &* cx &+ 1] }
                        if w & 1 == 1 { dst[row &+ cw &- 1] += src[line &+ w &- 1] }
                    } else {
                        for x in 0..<w { dst[row &+ block[x]] += src[line &+ x] }
                    }
                }
                let rows = Float(y1 &- y0)
                for cx in 0..<cw {
                    let columns = Float(Swift.min(w, (cx &+ 1) &* factor) &- cx &* factor)
                    dst[row &+ cx] /= rows * columns
                }
            }
        }}}
        return out
    }

    /// Reduces a tissue code plane (0 glass, 1 measurable tissue, 2 unmeasurable) like
    /// `box(_:factor:)`: a block is measurable when at least half its pixels are, otherwise
    /// unmeasurable when those outnumber the glass, otherwise glass.
    public static func tissueCodes(_ plane: Plane<UInt8>, factor: Int) -> Plane<UInt8> {
        guard factor > 1 else { return plane }
        let w = plane.width, h = plane.height
        let cw = (w + factor - 1) / factor, ch = (h + factor - 1) / factor
        var out = Plane<UInt8>(width: cw, height: ch, repeating: 0)
        var counts = [Int32](repeating: 0, count: cw * 3)
        // Block column of every pixel column (no division in the loop).
        let block = (0..<w).map { ($0 / factor) * 3 }
        plane.values.withUnsafeBufferPointer { src in
        out.values.withUnsafeMutableBufferPointer { dst in
        block.withUnsafeBufferPointer { block in
        counts.withUnsafeMutableBufferPointer { c in
            for cy in 0..<ch {
                let y0 = cy &* factor, y1 = Swift.min(h, y0 &+ factor)
                for i in 0..<c.count { c[i] = 0 }
                for y in y0..<y1 {
                    let line = y &* w
                    for x in 0..<w { c[block[x] &+ Int(Swift.min(2, src[line &+ x]))] &+= 1 }
                }
                for cx in 0..<cw {
                    dst[cy &* cw &+ cx] = blockCode(glass: Int(c[cx &* 3]), measurable: Int(c[cx &* 3 &+ 1]),
                                                    unmeasurable: Int(c[cx &* 3 &+ 2]))
                }
            }
        }}}}
        return out
    }

    /// The tissue code of a block with these counts of glass, measurable and unmeasurable
    /// pixels: measurable when at least half its pixels are, otherwise unmeasurable when those
    /// outnumber the glass, otherwise glass.
    @inline(__always)
    static func blockCode(glass: Int, measurable: Int, unmeasurable: Int) -> UInt8 {
        2 &* measurable >= glass &+ measurable &+ unmeasurable ? 1 : unmeasurable > glass ? 2 : 0
    }

    /// Every `factor`-th label of every `factor`-th row, from (0, 0): the coarse label image a
    /// block-wise upsampling came from (⌈width / factor⌉ × ⌈height / factor⌉).
    public static func sample(_ plane: Plane<Int32>, factor: Int) -> Plane<Int32> {
        guard factor > 1 else { return plane }
        let w = plane.width, cw = (w + factor - 1) / factor, ch = (plane.height + factor - 1) / factor
        var out = Plane<Int32>(width: cw, height: ch, repeating: 0)
        plane.values.withUnsafeBufferPointer { src in
        out.values.withUnsafeMutableBufferPointer { dst in
            for cy in 0..<ch {
                let line = cy &* factor &* w
                for cx in 0..<cw { dst[cy &* cw &+ cx] = src[line &+ cx &* factor] }
            }
        }}
        return out
    }
}
