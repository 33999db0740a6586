/// Eight bytes of a word as flags, without a jump per byte: the tissue bits, the flood's count of
/// level-0 pixels and the membrane passes' label bits use them.
enum ByteFlags {
    /// The top bit of each byte of `v` that is not 0, the rest 0: in (b & 0x7F) + 0x7F no carry
    /// crosses a byte, and its top bit is set when b's low seven bits are not all 0; or'ed with b
    /// it covers b's own top bit.
    @inline(__always)
    static func nonZeroTops(_ v: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return (((v & low7) &+ low7) | v) & 0x8080_8080_8080_8080
    }

    /// The low bits of the eight bytes of `v` (each byte 0 or 1) packed into one byte, byte i to
    /// bit i, by one multiply (byte i's bit lands in bit 56 + i).
    @inline(__always)
    static func packLowBits(_ v: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: (v &* 0x0102_0408_1020_4080) >> 56)
    }
}
