import Foundation

/// Small helpers over `SplitMix64` so that every random draw of the renderer is explicit and
/// reproducible (no stdlib `random(in:)`, whose bit use could change between releases).
extension SplitMix64 {
    /// Uniform in `[range.lowerBound, range.upperBound)`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnit()
    }

    /// Uniform integer in `range`.
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { nextUnit() < p }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(nextUnit(), 1e-300), v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// A seed for an independent stream, derived from `base` and a path of indices: slide `i` of
    /// seed `S` gets the same stream whatever else is rendered (so a slide is reproducible alone).
    static func derive(_ base: UInt64, _ path: UInt64...) -> UInt64 {
        var state = SplitMix64(seed: base ^ 0x5EED_1DC5_C0FF_EE00)
        var value = state.next()
        for p in path {
            state = SplitMix64(seed: value ^ (p &* 0x9E37_79B9_7F4A_7C15) ^ 0xA076_1D64_78BD_642F)
            value = state.next()
        }
        return value
    }
}
