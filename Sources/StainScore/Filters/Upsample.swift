/// Block-wise upsampling of label images found on reduced planes (the segmentation scale).
public enum Upsample {
    /// A label plane of ⌈w / f⌉ × ⌈h / f⌉ pixels spread back to `w × h`: each coarse pixel
    /// covers its f × f block (cut at the right and bottom edges).
    public static func blocks(_ coarse: Plane<Int32>, factor f: Int, width w: Int, height h: Int) -> Plane<Int32> {
        precondition(coarse.width == (w + f - 1) / f && coarse.height == (h + f - 1) / f)
        let cw = coarse.width
        // Every pixel is written: each row of a block from its coarse row, or copied.
        return Plane<Int32>(width: w, height: h) { out in
        coarse.values.withUnsafeBufferPointer { src in
            for y in stride(from: 0, to: h, by: f) {
                let from = (y / f) &* cw, line = out + y &* w
                if f == 2 {
                    for cx in 0..<(w / 2) { let l = src[from &+ cx]; line[2 &* cx] = l; line[2 &* cx &+ 1] = l }
                    if w & 1 == 1 { line[w &- 1] = src[from &+ cw &- 1] }
                } else {
                    var x = 0
                    for cx in 0..<cw {
                        let l = src[from &+ cx]
                        for _ in 0..<f where x < w { line[x] = l; x &+= 1 }
                    }
                }
                // The other rows of the block are copies of the first.
                for dy in 1..<f where y &+ dy < h { (line + dy &* w).initialize(from: line, count: w) }
            }
        }}
    }
}
