/// Searches in a row of bits packed 64 to a word (bit x & 63 of word x >> 6): the tissue bits
/// (`TissueBits`) and the run starts of the membrane passes (`MembraneBlockPasses.runs`). A patch
/// of zeros, however long, is passed over by counting them.
enum BitRow {
    /// The first set bit in [a, e) of the row whose words start at `row` (e if none); a < e, and
    /// the row has a word for every bit below e.
    @inline(__always)
    static func first(_ row: UnsafePointer<UInt64>, _ a: Int, _ e: Int) -> Int {
        var wi = a >> 6
        var m = row[wi] >> UInt64(a & 63)
        var base = a
        while m == 0 {
            wi &+= 1
            base = wi << 6
            if base >= e { return e }
            m = row[wi]
        }
        return Swift.min(e, base &+ m.trailingZeroBitCount)
    }

    /// The last set bit in [a, b] of the row whose words start at `row`, when bit a is set.
    @inline(__always)
    static func last(_ row: UnsafePointer<UInt64>, _ a: Int, _ b: Int) -> Int {
        var wi = b >> 6
        var m = row[wi] << UInt64(63 &- (b & 63))
        var top = b
        while m == 0 {
            wi &-= 1
            top = (wi << 6) &+ 63
            m = row[wi]
        }
        return Swift.max(a, top &- m.leadingZeroBitCount)
    }
}
