/// Connected-component labelling of binary masks.
public enum ConnectedComponents {
    /// Labels the 8-connected (or 4-connected) foreground regions of `mask` (non-zero =
    /// foreground) 1…count in raster order of their first pixel; background is 0.
    ///
    /// Two raster passes with union–find: the first gives each pixel the label of a neighbour
    /// already visited (west, north-west, north, north-east) or a new one, and joins the labels
    /// it sees; the second writes each pixel's final number. Provisional labels grow in raster
    /// order and a set keeps its smallest, so final numbers follow the first pixels' order.
    public static func label(_ mask: Plane<UInt8>, connectivity: Int = 8) -> (labels: Plane<Int32>, count: Int) {
        precondition(connectivity == 8 || connectivity == 4, "connectivity is 4 or 8")
        let diagonal = connectivity == 8
        let w = mask.width, h = mask.height
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        guard w > 0, h > 0 else { return (labels, 0) }
        var parent: [Int32] = [0]
        parent.reserveCapacity(4096)
        @inline(__always) func find(_ x: Int32, _ p: UnsafeMutablePointer<Int32>) -> Int32 {
            var r = x
            while p[Int(r)] != r { r = p[Int(r)] }
            var c = x
            while p[Int(c)] != r { let next = p[Int(c)]; p[Int(c)] = r; c = next }
            return r
        }
        mask.values.withUnsafeBufferPointer { mb in
        labels.values.withUnsafeMutableBufferPointer { lb in
            let m = mb.baseAddress!, l = lb.baseAddress!
            for y in 0..<h {
                let row = y &* w, up = row &- w
                for x in 0..<w where m[row &+ x] != 0 {
                    // Neighbours already labelled: W, NW, N, NE.
                    var a: Int32 = x > 0 ? l[row &+ x &- 1] : 0
                    var others: (Int32, Int32, Int32) = (0, 0, 0)
                    if y > 0 {
                        others = (diagonal && x > 0 ? l[up &+ x &- 1] : 0, l[up &+ x], diagonal && x &+ 1 < w ? l[up &+ x &+ 1] : 0)
                    }
                    if a == 0 { a = others.0 != 0 ? others.0 : (others.1 != 0 ? others.1 : others.2) }
                    if a == 0 {
                        a = Int32(parent.count)
                        parent.append(a)
                    } else {
                        parent.withUnsafeMutableBufferPointer { pb in
                            let p = pb.baseAddress!
                            @inline(__always) func join(_ o: Int32) {
                                guard o != 0 && o != a else { return }
                                let ra = find(a, p), ro = find(o, p)
                                if ra != ro { if ra < ro { p[Int(ro)] = ra } else { p[Int(ra)] = ro } }
                            }
                            join(others.0); join(others.1); join(others.2)
                        }
                    }
                    l[row &+ x] = a
                }
            }
        }}
        // Final numbers: roots in increasing provisional order.
        var final = [Int32](repeating: 0, count: parent.count)
        var count: Int32 = 0
        parent.withUnsafeMutableBufferPointer { pb in
            let p = pb.baseAddress!
            for i in 1..<pb.count {
                let r = find(Int32(i), p)
                if r == Int32(i) { count &+= 1; final[i] = count } else { final[i] = final[Int(r)] }
            }
        }
        labels.values.withUnsafeMutableBufferPointer { l in
            final.withUnsafeBufferPointer { f in
                for i in 0..<l.count { l[i] = f[Int(l[i])] }
            }
        }
        return (labels, Int(count))
    }
}
