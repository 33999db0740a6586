/// Automatic thresholds.
public enum Threshold {
    /// Otsu's threshold of the values of `plane` where `mask` is non-zero (all pixels when
    /// nil), over a 256-bin histogram of [low, high]. Returns nil when fewer than 2 values.
    public static func otsu(_ plane: Plane<Float>, mask: Plane<UInt8>? = nil, low: Float, high: Float) -> Float? {
        var hist = [Int](repeating: 0, count: 256)
        let scale = 255 / (high - low)
        plane.values.withUnsafeBufferPointer { v in
            hist.withUnsafeMutableBufferPointer { bins in
                if let mask {
                    mask.values.withUnsafeBufferPointer { m in
                        for i in 0..<v.count where m[i] != 0 { bins[Int(min(255, max(0, (v[i] - low) * scale)))] &+= 1 }
                    }
                } else {
                    for i in 0..<v.count { bins[Int(min(255, max(0, (v[i] - low) * scale)))] &+= 1 }
                }
            }
        }
        return otsu(histogram: hist, low: low, high: high)
    }

    /// Otsu's threshold from a 256-bin histogram of [low, high] (bin b holds the values whose
    /// `(v − low) · 255 / (high − low)`, clamped to 0…255, truncates to b): the upper edge of the
    /// bin that maximises the between-class variance. Nil when it holds fewer than 2 values.
    public static func otsu(histogram hist: [Int], low: Float, high: Float) -> Float? {
        precondition(hist.count == 256)
        let scale = 255 / (high - low)
        let total = hist.reduce(0, +)
        guard total >= 2 else { return nil }
        var sumAll = 0.0
        for i in 0..<256 { sumAll += Double(i * hist[i]) }
        var sumB = 0.0, wB = 0, best = 0.0, bestIndex = 0
        for t in 0..<256 {
            wB += hist[t]
            if wB == 0 { continue }
            let wF = total - wB
            if wF == 0 { break }
            sumB += Double(t * hist[t])
            let mB = sumB / Double(wB), mF = (sumAll - sumB) / Double(wF)
            let between = Double(wB) * Double(wF) * (mB - mF) * (mB - mF)
            if between > best { best = between; bestIndex = t }
        }
        return low + (Float(bestIndex) + 1) / scale
    }
}
