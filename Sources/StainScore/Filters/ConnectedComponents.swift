/// Connected-component labelling of binary masks.
public enum ConnectedComponents {
    /// Labels the 8-connected foreground regions of `mask` (non-zero = foreground) 1…count in
    /// raster order of their first pixel; background is 0.
    public static func label(_ mask: Plane<UInt8>) -> (labels: Plane<Int32>, count: Int) {
        let w = mask.width, h = mask.height
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        var count: Int32 = 0
        var stack: [Int32] = []
        stack.reserveCapacity(1024)
        mask.values.withUnsafeBufferPointer { m in
        labels.values.withUnsafeMutableBufferPointer { l in
            for start in 0..<(w &* h) where m[start] != 0 && l[start] == 0 {
                count &+= 1
                l[start] = count
                stack.append(Int32(start))
                while let top = stack.popLast() {
                    let p = Int(top), x = p % w, y = p / w
                    for dy in -1...1 {
                        let ny = y &+ dy
                        if ny < 0 || ny >= h { continue }
                        for dx in -1...1 {
                            let nx = x &+ dx
                            if nx < 0 || nx >= w { continue }
                            let q = ny &* w &+ nx
                            if m[q] != 0 && l[q] == 0 { l[q] = count; stack.append(Int32(q)) }
                        }
                    }
                }
            }
        }}
        return (labels, Int(count))
    }
}
