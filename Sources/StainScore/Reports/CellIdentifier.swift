/// Deterministic identifiers of cells, shared by `cells.csv` (`id`) and the GeoJSON features
/// (`id`), so the two can be joined and a re-run gives the same identifiers.
///
/// An identifier is a UUID-formatted string (RFC 9562 version 8, "custom") made of the first 16
/// bytes of SHA-256("ihc-score cell" ␀ slide ␀ tile ␀ index). QuPath reads it as the object's UUID.
public enum CellIdentifier {
    /// The identifier of the `index`-th cell of `tile` of `slide`.
    public static func uuid(slide: String, tile: String, index: Int) -> String {
        let out = TextBuffer(capacity: 64)
        append(index: index, after: prefix(slide: slide, tile: tile), to: out)
        return out.string
    }

    /// The hash of everything before the index, shared by every cell of a tile: copied per
    /// cell, so a cell's identifier costs one SHA-256 block.
    public static func prefix(slide: String, tile: String) -> SHA256 {
        var hasher = SHA256()
        hasher.update(Array("ihc-score cell\u{0}\(slide)\u{0}\(tile)\u{0}".utf8))
        return hasher
    }

    /// Appends the identifier of the `index`-th cell after `prefix` (`prefix(slide:tile:)`).
    public static func append(index: Int, after prefix: SHA256, to out: TextBuffer) {
        out.appendUnsafe(maximum: 36) { write(index: index, after: prefix, to: $0) }
    }

    /// Spells the identifier of the `index`-th cell after `prefix` at `p` (36 bytes, returned).
    public static func write(index: Int, after prefix: SHA256, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var hasher = prefix
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
            // The index in decimal, as the string interpolation spelled it.
            var v = index.magnitude
            var at = 32
            repeat {
                at &-= 1
                scratch[at] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            } while v > 0
            if index < 0 { at &-= 1; scratch[at] = UInt8(ascii: "-") }
            hasher.update(UnsafeRawBufferPointer(start: scratch.baseAddress! + at, count: 32 &- at))
            hasher.finalize(into: scratch.baseAddress!)
            scratch[6] = (scratch[6] & 0x0F) | 0x80
            scratch[8] = (scratch[8] & 0x3F) | 0x80
            return SHA256.hexDigits.withUnsafeBufferPointer { digits in
                var n = 0
                for k in 0..<16 {
                    if k == 4 || k == 6 || k == 8 || k == 10 { p[n] = UInt8(ascii: "-"); n &+= 1 }
                    p[n] = digits[Int(scratch[k] >> 4)]
                    p[n &+ 1] = digits[Int(scratch[k] & 15)]
                    n &+= 2
                }
                return n
            }
        }
    }
}
