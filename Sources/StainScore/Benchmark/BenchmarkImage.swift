/// Deterministic tissue-like test content for benchmarks: cells in a jittered grid with
/// hematoxylin nuclei and DAB membranes (Beer–Lambert over glass), plus sensor noise, so that
/// compressors see data about as compressible as a real bright-field tile.
public enum BenchmarkImage {
    public static func tissueLike(width: Int, height: Int, seed: UInt64 = 1, cellSpacing: Double = 24) -> RGBImage {
        var rng = SplitMix64(seed: seed)
        let gw = Int((Double(width) / cellSpacing).rounded(.up)) + 2
        let gh = Int((Double(height) / cellSpacing).rounded(.up)) + 2
        var centres = [(Double, Double)](repeating: (0, 0), count: gw * gh)
        for gy in 0..<gh {
            for gx in 0..<gw {
                let jx = rng.nextUnit() * 0.6 + 0.2, jy = rng.nextUnit() * 0.6 + 0.2
                centres[gy * gw + gx] = ((Double(gx - 1) + jx) * cellSpacing, (Double(gy - 1) + jy) * cellSpacing)
            }
        }
        // Optical-density directions (Ruifrok–Johnston, normalised) and glass.
        let h = (0.650, 0.704, 0.286), d = (0.268, 0.570, 0.776)
        let glass = 242.0
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let nucleusRadius = cellSpacing * 0.3
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x), fy = Double(y)
                let gx = Int(fx / cellSpacing) + 1, gy = Int(fy / cellSpacing) + 1
                var d1 = Double.infinity, d2 = Double.infinity
                for ny in max(0, gy - 1)...min(gh - 1, gy + 1) {
                    for nx in max(0, gx - 1)...min(gw - 1, gx + 1) {
                        let c = centres[ny * gw + nx]
                        let dist = ((fx - c.0) * (fx - c.0) + (fy - c.1) * (fy - c.1)).squareRoot()
                        if dist < d1 { d2 = d1; d1 = dist } else if dist < d2 { d2 = dist }
                    }
                }
                var hc = 0.08, dc = 0.03
                if d1 < nucleusRadius { hc = 0.55 }
                if d2 - d1 < 2.0 { dc = 0.45 }
                // Tissue gaps (lumens) every few cells keep some glass in view.
                if ((x / 200) + (y / 170)) % 7 == 3 { hc = 0; dc = 0 }
                let noise = rng.nextUnit() * 6 - 3
                let i = (y * width + x) * 3
                pixels[i] = channel(glass, hc * h.0 + dc * d.0, noise)
                pixels[i + 1] = channel(glass, hc * h.1 + dc * d.1, noise)
                pixels[i + 2] = channel(glass, hc * h.2 + dc * d.2, noise)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels,
                        pixelSize: PixelSize(micronsPerPixel: 0.5, source: .synthetic))
    }

    private static func channel(_ glass: Double, _ od: Double, _ noise: Double) -> UInt8 {
        let v = glass * pow10(-od) + noise
        return UInt8(max(0, min(255, v.rounded())))
    }

    private static func pow10(_ x: Double) -> Double { exp(x * 2.302585092994046) }
}

#if canImport(Glibc)
import Glibc
#endif

/// A small, fast, reproducible generator (Steele, Lea & Flood 2014); the same seed gives the
/// same sequence on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
