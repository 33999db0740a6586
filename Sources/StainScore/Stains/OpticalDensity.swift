/// Optical density OD = −log10(I / I0) per 8-bit channel value, as a 256-entry lookup table
/// (the QuPath/ImageJ convention, log10 units; scikit-image's scale differs).
public struct OpticalDensityTable: Sendable {
    /// OD for each 8-bit value, channel by channel (R, G, B).
    public let red: [Float]
    public let green: [Float]
    public let blue: [Float]

    /// `background`: the glass intensity I0 per channel (R, G, B). Values brighter than the
    /// glass give OD 0; a value of 0 is treated as 0.5 so the OD stays finite (≈ 2.7).
    public init(background: SIMD3<Double>) {
        func table(_ i0: Double) -> [Float] {
            (0..<256).map { v in Float(max(0, -log10(max(Double(v), 0.5) / i0))) }
        }
        red = table(background.x)
        green = table(background.y)
        blue = table(background.z)
    }
}

/// The glass (background) intensity of a tile, per channel.
public enum BackgroundEstimation {
    /// Default glass intensity when a tile has too little glass to measure.
    public static let defaultBackground = SIMD3<Double>(255, 255, 255)

    /// The per-channel median of the brightest 5% of the glass candidates — near-white (every
    /// channel ≥ `minimumValue`) and nearly neutral (channel spread ≤ `maximumSpread`) pixels —
    /// when those brightest pixels make up at least `minimumFraction` of the tile and really
    /// look like glass (every channel of the median ≥ `minimumGlassValue`); otherwise
    /// `fallback`. Taking only the brightest candidates keeps pale cytoplasm out of the estimate
    /// when a tile has glass; the glass test refuses an estimate made of cytoplasm alone.
    /// Every `step`-th pixel is examined (a regular sample: deterministic).
    public static func estimate(_ image: RGBImage, minimumValue: UInt8 = 200, maximumSpread: UInt8 = 40,
                                minimumFraction: Double = 0.0025, minimumGlassValue: Double = 228, step: Int = 7,
                                fallback: SIMD3<Double> = defaultBackground) -> (background: SIMD3<Double>, glassFraction: Double) {
        // One strided pass over the image keeps the candidates (packed R | G << 8 | B << 16) and
        // their brightness histogram, without a jump per pixel (glass edges make the test
        // unpredictable): a pixel that is no candidate is written one past the kept ones, where
        // the next pixel overwrites it, and counted in a spare last bin. The second pass reads
        // the candidates only.
        let n = image.pixelCount
        let step = max(1, step)
        let samples = (n + step - 1) / step
        // The brightness histogram in the lanes of an `InterleavedHistogram` (sample j in lane
        // j & 3): the samples of a tile are mostly in a few bins, the spare one above all.
        var interleaved = InterleavedHistogram.lanes(bins: 768)
        var candidates = [UInt32](repeating: 0, count: samples + 1)
        var count = 0
        image.pixels.withUnsafeBufferPointer { p in
        interleaved.withUnsafeMutableBufferPointer { bins in
        candidates.withUnsafeMutableBufferPointer { kept in
            var i = 0, j = 0
            while i < n {
                let r = p[3 &* i], g = p[3 &* i &+ 1], b = p[3 &* i &+ 2]
                let lo = min(r, min(g, b)), hi = max(r, max(g, b))
                let candidate = lo >= minimumValue && hi &- lo <= maximumSpread
                bins[(candidate ? Int(r) &+ Int(g) &+ Int(b) : 766) &* 4 &+ (j & 3)] &+= 1
                kept[count] = UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16
                count &+= candidate ? 1 : 0
                i &+= step
                j &+= 1
            }
        }}}
        let brightness = InterleavedHistogram.fold(interleaved)
        let fraction = Double(count) / Double(max(1, samples))
        let brightestShare = 0.05
        guard Double(count) * brightestShare >= minimumFraction * Double(samples), count > 0 else { return (fallback, fraction) }
        // Brightness at which the brightest 5% of the candidates start.
        var seen = 0, cut = 765
        for s in stride(from: 765, through: 0, by: -1) {
            seen += brightness[s]
            if Double(seen) >= brightestShare * Double(count) { cut = s; break }
        }
        // Channel histograms of the brightest candidates: channel c's count of value v at
        // 256 · c + v.
        var histograms = [Int](repeating: 0, count: 3 * 256)
        var kept = 0
        candidates.withUnsafeBufferPointer { list in
        histograms.withUnsafeMutableBufferPointer { hist in
            for c in list[0..<count] {
                let r = Int(c & 255), g = Int(c >> 8 & 255), b = Int(c >> 16)
                if r &+ g &+ b >= cut {
                    hist[r] &+= 1; hist[256 &+ g] &+= 1; hist[512 &+ b] &+= 1
                    kept &+= 1
                }
            }
        }}
        func median(_ channel: Int) -> Double {
            var acc = 0
            for v in 0..<256 {
                acc += histograms[256 * channel + v]
                if 2 * acc >= kept { return Double(v) }
            }
            return 255
        }
        let glass = SIMD3(median(0), median(1), median(2))
        guard glass.min() >= minimumGlassValue else { return (fallback, fraction) }
        return (glass, fraction)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
