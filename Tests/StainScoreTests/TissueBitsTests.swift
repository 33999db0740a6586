import Testing
@testable import StainScore

/// `TissueBits` (the tissue plane one bit a pixel, for the membrane passes over label blocks)
/// against the plane itself, and the first / last set bit searches of `BitRow` on it against a
/// walk pixel by pixel.
@Suite("Tissue bits")
struct TissueBitsTests {
    /// Widths around the word (64) and the eight-pixel chunk; one row, and a few.
    static let sizes: [(Int, Int)] = [(1, 1), (7, 3), (8, 2), (9, 1), (63, 4), (64, 3), (65, 2), (130, 5), (257, 3)]

    /// Tissue codes 0, 1 and 2, mostly in patches (as glass lies in cells), with every code at
    /// each position of a word somewhere.
    static func plane(_ w: Int, _ h: Int, seed: UInt64) -> Plane<UInt8> {
        var rng = SplitMix64(seed: seed)
        var values: [UInt8] = []
        var code: UInt8 = 1
        for _ in 0..<(w * h) {
            if rng.nextUnit() < 0.3 { code = UInt8(rng.nextUnit() * 3) % 3 }
            values.append(code)
        }
        return Plane(width: w, height: h, values: values)
    }

    @Test("bit x of row y is set exactly when the code is not 0; bits past the width are 0", arguments: sizes)
    func bits(_ w: Int, _ h: Int) {
        for seed in UInt64(1)...3 {
            let tissue = Self.plane(w, h, seed: seed &* 977 &+ UInt64(w))
            let bits = TissueBits(tissue)
            #expect(bits.wordsPerRow == (w + 63) / 64)
            #expect(bits.words.count == bits.wordsPerRow * h)
            var wrong = 0
            for y in 0..<h {
                for x in 0..<(bits.wordsPerRow * 64) {
                    let set = bits.words[y * bits.wordsPerRow + x / 64] >> UInt64(x % 64) & 1 == 1
                    if set != (x < w && tissue[x, y] != 0) { wrong += 1 }
                }
            }
            #expect(wrong == 0, "\(wrong) wrong bits, \(w)×\(h) seed \(seed)")
        }
    }

    @Test("first and last tissue pixel of every interval of a row", arguments: sizes)
    func searches(_ w: Int, _ h: Int) {
        let tissue = Self.plane(w, h, seed: UInt64(w * 31 + h))
        let bits = TissueBits(tissue)
        var wrong = 0, found = 0
        bits.words.withUnsafeBufferPointer { words in
            for y in 0..<h {
                let row = words.baseAddress! + y * bits.wordsPerRow
                for a in 0..<w {
                    for e in (a + 1)...w {
                        let first = (a..<e).first { tissue[$0, y] != 0 } ?? e
                        if BitRow.first(row, a, e) != first { wrong += 1 }
                        guard first < e else { continue }
                        found += 1
                        let last = (a..<e).last { tissue[$0, y] != 0 }!
                        if BitRow.last(row, first, e - 1) != last { wrong += 1 }
                    }
                }
            }
        }
        #expect(wrong == 0, "\(wrong) wrong answers, \(w)×\(h)")
        if w > 1 { #expect(found > 0) }
    }
}
