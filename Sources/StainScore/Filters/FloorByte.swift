/// ⌊v⌋ as a byte for 0 ≤ v < 256, without a Float→integer conversion: Swift's conversion checks
/// its range and traps, and that check keeps a loop scalar; this vectorises.
///
/// Adding 1.5 · 2²³ leaves the sum's unit in the last place at 1, so the sum's low bits hold v
/// rounded to the nearest integer; one is taken off when that rounded up. Every step is exact
/// in that range, so the result is exactly `UInt8(v)` (truncation), ties included.
@inline(__always)
func floorByte(_ v: Float) -> UInt8 {
    let magic: Float = 12_582_912
    let m = v + magic
    let nearest = m - magic
    return UInt8(truncatingIfNeeded: m.bitPattern &- (nearest > v ? 1 : 0))
}
