import Foundation
import Testing
@testable import StainScore  // NucleusDetector.thresholdHistogram is internal

/// The nucleus threshold's histogram (bins by a magic-number floor, counts without a jump, four
/// interleaved histograms) against its plain definition.
@Suite("Nucleus threshold histogram = its definition")
struct ThresholdHistogramTests {
    static func reference(_ hs: Plane<Float>, _ ds: Plane<Float>, _ t: Plane<UInt8>, dominance: Float, low: Float, high: Float) -> [Int] {
        var bins = [Int](repeating: 0, count: 256)
        let scale = 255 / (high - low)
        for i in 0..<hs.count where t.values[i] == 1 && hs.values[i] >= dominance * ds.values[i] {
            bins[Int(Swift.min(255, Swift.max(0, (hs.values[i] - low) * scale)))] += 1
        }
        return bins
    }

    @Test("equal on random planes with bin edges, ties of the dominance test and special values",
          arguments: KernelReferenceTests.sizes + [(257, 3)])
    func histogram(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 7919 + h))
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1.5, Float(1.5).nextUp, 1e30, -1e-30]
        let n = w * h
        var hv: [Float] = [], dv: [Float] = [], tv: [UInt8] = []
        for i in 0..<n {
            let u = rng.nextUnit()
            // Exactly on a bin edge k · 1.5/255, just beside one, anywhere, or special.
            let edge = Float(Int(rng.nextUnit() * 258) - 1) * 1.5 / 255
            let x: Float = u < 0.05 ? specials[i % specials.count] : u < 0.35 ? edge : u < 0.5 ? edge.nextUp
                : u < 0.65 ? edge.nextDown : Float(-0.2 + 2 * rng.nextUnit())
            hv.append(x)
            // DAB: sometimes exactly x / dominance (a tie of the dominance test), else random.
            dv.append(rng.nextUnit() < 0.2 ? x / 1.25 : Float(rng.nextUnit() * 0.8))
            tv.append([0, 1, 1, 1, 2][Int(rng.nextUnit() * 5)])
        }
        let hs = Plane(width: w, height: h, values: hv), ds = Plane(width: w, height: h, values: dv)
        let t = Plane(width: w, height: h, values: tv)
        for dominance: Float in [1.25, 0] {
            let fast = NucleusDetector.thresholdHistogram(smooth: hs, smoothDAB: ds, tissue: t, dominance: dominance, low: 0, high: 1.5)
            let slow = Self.reference(hs, ds, t, dominance: dominance, low: 0, high: 1.5)
            #expect(fast == slow, "dominance \(dominance): \(zip(fast, slow).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(4))")
            #expect(fast.reduce(0, +) <= n)
        }
    }
}
