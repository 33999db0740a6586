/// The tissue plane as one bit a pixel (set: tissue code ≠ 0), 64 pixels a word, each row
/// starting on a word: for the membrane passes over label blocks, which look for the first and
/// last tissue pixel of a stretch and walk a run's tissue pixels only.
///
/// In the benchmark's virtual tiles a third of the pixels inside cells are glass (pale cytoplasm
/// below the tissue OD), scattered in small patches: tested byte by byte, each patch costs a
/// jump or two the processor cannot foresee. In the bits a patch is skipped by counting zeros
/// (`BitRow`), one step however long it is.
struct TissueBits {
    /// Words per row: ⌈width / 64⌉.
    let wordsPerRow: Int
    /// Row y's pixel x is bit x & 63 of word `y · wordsPerRow + x >> 6`.
    let words: [UInt64]

    init(_ tissue: Plane<UInt8>) {
        let w = tissue.width, h = tissue.height, wpr = (w + 63) / 64
        wordsPerRow = wpr
        words = [UInt64](unsafeUninitializedCapacity: wpr * h) { out, count in
            let bytes = UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: UInt8.self)
            tissue.values.withUnsafeBufferPointer { src in
                let raw = UnsafeRawPointer(src.baseAddress!)
                let chunks = w / 8
                for y in 0..<h {
                    // Byte k of a row's words (in little-endian order) holds pixels 8k … 8k + 7.
                    let row = y &* w, o = bytes + y &* wpr &* 8
                    for k in 0..<chunks {
                        // Pixel i of the eight is byte i of v (`ByteFlags`).
                        let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: row &+ 8 &* k, as: UInt64.self))
                        o[k] = ByteFlags.packLowBits(ByteFlags.nonZeroTops(v) >> 7)
                    }
                    // The last pixels, and zeros up to the end of the row's last word.
                    var byte: UInt8 = 0
                    for x in (8 &* chunks)..<w where src[row &+ x] != 0 { byte |= 1 << UInt8(x & 7) }
                    var k = chunks
                    if w & 7 != 0 { o[k] = byte; k &+= 1 }
                    while k < wpr &* 8 { o[k] = 0; k &+= 1 }
                }
            }
            // The bytes were written in little-endian order (a no-op on such a machine).
            for i in 0..<(wpr * h) { out[i] = UInt64(littleEndian: out[i]) }
            count = wpr * h
        }
    }
}
