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

/// The bits of the membrane block passes' runs (`MembraneBlockPasses.runs`): where a coarse row's
/// labels start a run (`differenceBits` with lag 1) and where they differ from the row above
/// (`Runs.vertical`), against a comparison label by label.
@Suite("Label run bits")
struct LabelRunBitsTests {
    /// Coarse label planes: labels 0…5 in runs of random length (so every bit position of a word
    /// meets a change somewhere), some rows copying the one above (no vertical change at all).
    static func labels(_ w: Int, _ h: Int, seed: UInt64) -> Plane<Int32> {
        var rng = SplitMix64(seed: seed)
        var values: [Int32] = []
        var label: Int32 = 1
        for y in 0..<h {
            if y > 0 && rng.nextUnit() < 0.25 { values += values[((y - 1) * w)..<(y * w)]; continue }
            for _ in 0..<w {
                if rng.nextUnit() < 0.3 { label = Int32(rng.nextUnit() * 6) }
                values.append(label)
            }
        }
        return Plane(width: w, height: h, values: values)
    }

    @Test("differenceBits: column x set when a[x] ≠ b[x − lag] (always below lag), zeros past the count",
          arguments: TissueBitsTests.sizes)
    func difference(_ w: Int, _ h: Int) {
        let plane = Self.labels(w, max(2, h), seed: UInt64(w * 7 + h))
        let words = (w + 63) / 64
        var wrong = 0
        plane.values.withUnsafeBufferPointer { v in
            let a = v.baseAddress!, b = v.baseAddress! + w
            for lag in [0, 1] {
                var out = [UInt64](repeating: .max, count: words)  // stale bits must be overwritten
                out.withUnsafeMutableBufferPointer { MembraneBlockPasses.differenceBits(b, lag == 0 ? a : b, lag: lag, count: w,
                                                                                         into: $0.baseAddress!, words: words) }
                for x in 0..<(words * 64) {
                    let expected = x < w && (x < lag || b[x] != (lag == 0 ? a[x] : b[x - 1]))
                    if (out[x / 64] >> UInt64(x % 64) & 1 == 1) != expected { wrong += 1 }
                }
            }
        }
        #expect(wrong == 0, "\(wrong) wrong bits, width \(w)")
    }

    @Test("the runs and their vertical bits against the labels, row by row", arguments: TissueBitsTests.sizes)
    func runs(_ w: Int, _ h: Int) {
        for seed in UInt64(1)...3 {
            let coarse = Self.labels(w, h, seed: seed &* 131 &+ UInt64(w))
            let runs = MembraneBlockPasses.runs(coarse, width: 2 * w)
            #expect(runs.wordsPerRow == (w + 63) / 64)
            #expect(runs.vertical.count == runs.wordsPerRow * (h + 1))
            var wrong = 0
            for r in 0...h {
                for x in 0..<(runs.wordsPerRow * 64) {
                    let here = r < h && x < w ? coarse[x, r] : 0, above = r > 0 && x < w ? coarse[x, r - 1] : 0
                    let set = runs.vertical[r * runs.wordsPerRow + x / 64] >> UInt64(x % 64) & 1 == 1
                    if set != (x < w && here != above) { wrong += 1 }
                }
            }
            // Every run is a maximal stretch of one positive label, with its neighbours beside it.
            var expected: [MembraneBlockPasses.Run] = []
            for y in 0..<h {
                var x = 0
                while x < w {
                    var e = x + 1
                    while e < w && coarse[e, y] == coarse[x, y] { e += 1 }
                    if coarse[x, y] > 0 {
                        expected.append(.init(x0: Int32(2 * x), x1: Int32(2 * e), label: coarse[x, y],
                                              left: x > 0 ? coarse[x - 1, y] : 0, right: e < w ? coarse[e, y] : 0))
                    }
                    x = e
                }
            }
            #expect(wrong == 0, "\(wrong) wrong vertical bits, \(w)×\(h) seed \(seed)")
            #expect(runs.runs.map { [$0.x0, $0.x1, $0.label, $0.left, $0.right] } == expected.map { [$0.x0, $0.x1, $0.label, $0.left, $0.right] })
        }
    }
}
