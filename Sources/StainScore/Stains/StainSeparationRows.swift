/// The row kernels of the stain pass. A row is done in three short loops rather than one long
/// one, so that two of them are vector code: the table sums of its pixels (three table
/// loads and two vector adds a pixel, into a row of `SIMD4` sums that stays in the first-level
/// cache), then the sums split eight pixels at a time into hematoxylin, DAB and tissue codes
/// (lane shuffles and compares by sign bit in place of per-pixel lane extraction and byte logic),
/// and for the 2×2 reduction, a pair of rows' planes and codes combined sixteen pixels at a
/// time. Every value is formed with the same operations in the same order as the per-pixel
/// definition (the table sum, `tissueCode`, the sums of `Downsample.box`), so the planes are
/// bit for bit those of the plain per-pixel loop.
extension StainSeparation {
    /// The table sums (R, then + G, then + B) of the `count` pixels at `src` (RGB bytes), into `sums`.
    @inline(__always)
    static func sumRow(_ src: UnsafePointer<UInt8>, _ count: Int, _ tab: UnsafePointer<SIMD4<Float>>,
                       _ sums: UnsafeMutablePointer<SIMD4<Float>>) {
        var i = 0
        while i < count {
            let o = 3 &* i
            sums[i] = tab[Int(src[o])] + tab[256 &+ Int(src[o &+ 1])] + tab[512 &+ Int(src[o &+ 2])]
            i &+= 1
        }
    }

    /// Row `y` of `src` (`width` pixels) separated into the planes: its table sums into
    /// `sums`, then stored (`storeRow`); returns its measurable tissue pixels.
    @inline(__always)
    static func separateRow(_ y: Int, width w: Int, _ src: UnsafePointer<UInt8>, _ tab: UnsafePointer<SIMD4<Float>>,
                            _ sums: UnsafeMutablePointer<SIMD4<Float>>, _ hOut: UnsafeMutablePointer<Float>,
                            _ dOut: UnsafeMutablePointer<Float>, _ tOut: UnsafeMutablePointer<UInt8>, _ threshold: Float) -> Int {
        let o = y &* w
        sumRow(src + 3 &* o, w, tab, sums)
        return storeRow(sums, w, hOut + o, dOut + o, tOut + o, threshold)
    }

    /// A row's sums stored as hematoxylin, DAB and tissue codes (`tissueCode`); returns how
    /// many of its pixels are measurable tissue.
    @inline(__always)
    static func storeRow(_ sums: UnsafePointer<SIMD4<Float>>, _ count: Int, _ hOut: UnsafeMutablePointer<Float>,
                         _ dOut: UnsafeMutablePointer<Float>, _ tOut: UnsafeMutablePointer<UInt8>,
                         _ threshold: Float) -> Int {
        let raw = UnsafeRawPointer(sums)
        // The compares as sign bits (no `SIMDMask`, which Swift builds lane by lane): for
        // numbers that are not NaN, (od + 0) − t ≥ +0 exactly when od ≥ t (the difference of
        // two unequal floats is never zero, that of two equal ones +0, and adding +0 turns a −0
        // into +0), and 0 − k is −0 or below exactly when k > 0.
        let one = SIMD8<UInt32>(repeating: 1)
        var measurable = SIMD8<UInt32>()
        var i = 0
        while i &+ 8 <= count {
            // Eight pixels' (H, D, OD, dark) sums: lanes 4k … 4k + 3 of `v` are pixel k's.
            let v = raw.loadUnaligned(fromByteOffset: i &* 16, as: SIMD32<Float>.self)
            let hodd = v.evenHalf, dk = v.oddHalf
            UnsafeMutableRawPointer(hOut + i).storeBytes(of: hodd.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dOut + i).storeBytes(of: dk.evenHalf, as: SIMD8<Float>.self)
            let below = unsafeBitCast((hodd.oddHalf + SIMD8()) - SIMD8(repeating: threshold), to: SIMD8<UInt32>.self) &>> 31
            let tissue = below ^ one
            let dark = unsafeBitCast(SIMD8<Float>() - dk.oddHalf, to: SIMD8<UInt32>.self) &>> 31
            let code = tissue &+ (tissue & dark)
            measurable &+= tissue & (dark ^ one)
            UnsafeMutableRawPointer(tOut + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: code), as: SIMD8<UInt8>.self)
            i &+= 8
        }
        var total = Int(measurable.wrappedSum())
        while i < count {
            let s = sums[i]
            hOut[i] = s[0]
            dOut[i] = s[1]
            let code = tissueCode(s, threshold)
            tOut[i] = code.code
            total &+= Int(code.measurable)
            i &+= 1
        }
        return total
    }

    /// Two full-resolution rows `a` and `b` (width `2 × count`) 2×2 box-reduced into `count`
    /// values: each plane's `((a₀ + a₁) + (b₀ + b₁)) × 0.25` (the sums of `Downsample.box`) and
    /// the block's tissue code as `Downsample.tissueCodes` gives it (1 when at least two of its
    /// four pixels are measurable, else 2 when more are too dark than are glass, else 0).
    @inline(__always)
    static func reduceRows(_ ha: UnsafePointer<Float>, _ hb: UnsafePointer<Float>,
                           _ da: UnsafePointer<Float>, _ db: UnsafePointer<Float>,
                           _ ta: UnsafePointer<UInt8>, _ tb: UnsafePointer<UInt8>, _ count: Int,
                           _ hOut: UnsafeMutablePointer<Float>, _ dOut: UnsafeMutablePointer<Float>,
                           _ tOut: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func mean16(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ j: Int) -> SIMD8<Float> {
            let ra = UnsafeRawPointer(a + 2 &* j).loadUnaligned(as: SIMD16<Float>.self)
            let rb = UnsafeRawPointer(b + 2 &* j).loadUnaligned(as: SIMD16<Float>.self)
            return ((ra.evenHalf + ra.oddHalf) + (rb.evenHalf + rb.oddHalf)) * 0.25
        }
        var j = 0
        while j &+ 8 <= count {
            UnsafeMutableRawPointer(hOut + j).storeBytes(of: mean16(ha, hb, j), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dOut + j).storeBytes(of: mean16(da, db, j), as: SIMD8<Float>.self)
            let ca = UnsafeRawPointer(ta + 2 &* j).loadUnaligned(as: SIMD16<UInt8>.self)
            let cb = UnsafeRawPointer(tb + 2 &* j).loadUnaligned(as: SIMD16<UInt8>.self)
            let one = SIMD8<UInt8>(repeating: 1)
            let ones = (ca.evenHalf & one) &+ (ca.oddHalf & one) &+ (cb.evenHalf & one) &+ (cb.oddHalf & one)
            let dark = (ca.evenHalf &>> 1) &+ (ca.oddHalf &>> 1) &+ (cb.evenHalf &>> 1) &+ (cb.oddHalf &>> 1)
            let glass = SIMD8<UInt8>(repeating: 4) &- ones &- dark
            // The compares in arithmetic (counts are 0 … 4): ones ≥ 2 ⇔ (ones + 2) >> 2 = 1, and
            // dark > glass ⇔ glass − dark wraps round (its top bit set).
            let atLeastTwo = (ones &+ 2) &>> 2
            let moreDark = (glass &- dark) &>> 7
            let code = atLeastTwo | (((atLeastTwo ^ one) & moreDark) &<< 1)
            UnsafeMutableRawPointer(tOut + j).storeBytes(of: code, as: SIMD8<UInt8>.self)
            j &+= 8
        }
        while j < count {
            let x = 2 &* j
            hOut[j] = ((ha[x] + ha[x &+ 1]) + (hb[x] + hb[x &+ 1])) * 0.25
            dOut[j] = ((da[x] + da[x &+ 1]) + (db[x] + db[x &+ 1])) * 0.25
            let c = (ta[x], ta[x &+ 1], tb[x], tb[x &+ 1])
            let ones = Int((c.0 & 1) &+ (c.1 & 1) &+ (c.2 & 1) &+ (c.3 & 1))
            let dark = Int((c.0 >> 1) &+ (c.1 >> 1) &+ (c.2 >> 1) &+ (c.3 >> 1))
            tOut[j] = Downsample.blockCode(glass: 4 &- ones &- dark, measurable: ones, unmeasurable: dark)
            j &+= 1
        }
    }
}
