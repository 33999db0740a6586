/// Binary morphology on masks (0/1).
public enum Morphology {
    /// Sets to 1 every 0-pixel not connected (4-connectivity) to the image border: the holes
    /// of the mask (pale vesicular nuclei have pale centres).
    public static func fillHoles(_ mask: Plane<UInt8>) -> Plane<UInt8> {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return mask }
        var outside = [Bool](repeating: false, count: w * h)
        var stack: [Int] = []
        func seed(_ p: Int) {
            if mask.values[p] == 0 && !outside[p] { outside[p] = true; stack.append(p) }
        }
        for x in 0..<w { seed(x); seed((h - 1) * w + x) }
        for y in 0..<h { seed(y * w); seed(y * w + w - 1) }
        while let p = stack.popLast() {
            let x = p % w, y = p / w
            if x > 0 { seed(p - 1) }
            if x < w - 1 { seed(p + 1) }
            if y > 0 { seed(p - w) }
            if y < h - 1 { seed(p + w) }
        }
        var out = mask
        for p in 0..<(w * h) where mask.values[p] == 0 && !outside[p] { out.values[p] = 1 }
        return out
    }
}
