/// Binary morphology on masks (0/1).
public enum Morphology {
    /// Sets to 1 every 0-pixel not connected (4-connectivity) to the image border: the holes
    /// of the mask (pale vesicular nuclei have pale centres). One flood fill from the border
    /// over a flat queue: linear time.
    public static func fillHoles(_ mask: Plane<UInt8>) -> Plane<UInt8> {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return mask }
        var out = mask
        // 0 = unvisited background, 1 = mask, 2 = background reached from the border.
        out.values.withUnsafeMutableBufferPointer { m in
            var queue = [Int32](repeating: 0, count: w * h)
            queue.withUnsafeMutableBufferPointer { q in
                var tail = 0
                @inline(__always) func visit(_ p: Int) {
                    if m[p] == 0 { m[p] = 2; q[tail] = Int32(p); tail &+= 1 }
                }
                for x in 0..<w { visit(x); visit((h &- 1) &* w &+ x) }
                for y in 0..<h { visit(y &* w); visit(y &* w &+ w &- 1) }
                var head = 0
                while head < tail {
                    let p = Int(q[head]); head &+= 1
                    let x = p % w
                    if x > 0 { visit(p &- 1) }
                    if x < w &- 1 { visit(p &+ 1) }
                    if p >= w { visit(p &- w) }
                    if p < (h &- 1) &* w { visit(p &+ w) }
                }
            }
            for p in 0..<(w &* h) { m[p] = m[p] == 2 ? 0 : 1 }
        }
        return out
    }
}
