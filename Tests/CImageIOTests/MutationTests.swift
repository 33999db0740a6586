import Testing
import StainScore

/// A bounded mutation test: thousands of randomly corrupted copies of valid files. Each must
/// give an image or an `ImageIOError` — never a crash, a trap or a hang.
@Suite("Mutation")
struct MutationTests {
    static let seeds: [String] = ["png", "png-palette-interlaced", "png-16bit-alpha", "jpeg", "jpeg-progressive",
                                  "tiff-lzw-strips", "tiff-deflate-tiles", "tiff-jpeg-tiles", "tiff-packbits-planar",
                                  "tiff-palette4", "bigtiff-zstd"]

    static func writeSeed(_ name: String, to path: String) throws {
        let image = smoothImage(width: 40, height: 30, seed: 3)
        switch name {
        case "png": try ImageWriter.writePNG(image, to: path)
        case "png-palette-interlaced":
            var palette: [UInt8] = []
            for i in 0..<16 { palette += [UInt8(i * 16), UInt8(255 - i * 16), UInt8(i * 7)] }
            var rows: [UInt8] = []
            for y in 0..<30 {
                for x in 0..<20 {
                    let high = UInt8((x + y) % 16), low = UInt8((x * y) % 16)
                    rows.append(high << 4 | low)
                }
            }
            try ImageWriter.writePNG(packedRows: rows, width: 40, height: 30,
                                     encoding: PNGEncoding(colorType: .palette, bitDepth: 4, interlaced: true,
                                                           palette: palette, paletteAlpha: [0, 128]), to: path)
        case "png-16bit-alpha":
            let rows = (0..<(40 * 30 * 8)).map { UInt8(truncatingIfNeeded: $0 * 37) }
            try ImageWriter.writePNG(packedRows: rows, width: 40, height: 30,
                                     encoding: PNGEncoding(colorType: .rgba, bitDepth: 16), to: path)
        case "jpeg": try ImageWriter.writeJPEG(image, to: path, encoding: JPEGEncoding(subsampling: .s420))
        case "jpeg-progressive": try ImageWriter.writeJPEG(image, to: path, encoding: JPEGEncoding(progressive: true))
        case "tiff-lzw-strips": try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .lzw, rowsPerStrip: 8))
        case "tiff-deflate-tiles": try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(tileSize: (16, 16)))
        case "tiff-jpeg-tiles":
            try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .jpeg, photometric: .ycbcr, tileSize: (16, 16)))
        case "tiff-packbits-planar":
            try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .packbits, planarSeparate: true))
        case "tiff-palette4":
            let c = TIFFCase(name: "p4", encoding: TIFFEncoding(compression: .none, photometric: .palette, bitsPerSample: 4))
            try ImageWriter.writeTIFF(pages: [TIFFTests.make(c, width: 40, height: 30, seed: 1).0], to: path)
        default: try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .zstd), bigTIFF: true)
        }
    }

    /// One random change: byte flips, a run of constant bytes, a cut, an insertion, a deletion
    /// or a swap of two blocks. Header bytes are favoured, where parsers are most exposed.
    static func mutate(_ bytes: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        func position() -> Int {
            rng.next() % 2 == 0 ? Int(rng.next() % UInt64(min(b.count, 256))) : Int(rng.next() % UInt64(b.count))
        }
        switch rng.next() % 6 {
        case 0:
            for _ in 0..<(1 + rng.next() % 4) { b[position()] ^= UInt8(1 << (rng.next() % 8)) }
        case 1:
            let p = position(), n = Int(1 + rng.next() % 8), v: UInt8 = [0, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
            for i in p..<min(b.count, p + n) { b[i] = v }
        case 2:
            b = Array(b.prefix(position()))
        case 3:
            let p = position()
            b.insert(contentsOf: (0..<Int(1 + rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: p)
        case 4:
            let p = position()
            b.removeSubrange(p..<min(b.count, p + Int(1 + rng.next() % 16)))
        default:
            let p = position(), q = position(), n = min(8, b.count - max(p, q))
            if n > 0 { for i in 0..<n { b.swapAt(p + i, q + i) } }
        }
        return b
    }

    @Test("corrupted copies return an image or an error", .timeLimit(.minutes(5)), arguments: seeds)
    func mutations(_ seedName: String) throws {
        let dir = TemporaryDirectory()
        try Self.writeSeed(seedName, to: dir.file("seed"))
        let original = readBytes(dir.file("seed"))
        // A small budget: a mutated header must not make the test allocate gigabytes.
        let reader = ImageReader(pixelBudget: 1 << 20)
        var rng = SplitMix64(seed: seedName.utf8.reduce(UInt64(7)) { $0 &* 31 &+ UInt64($1) })
        var images = 0, errors = 0
        let count = 500  // × 11 seeds = 5,500 corrupted files
        for _ in 0..<count {
            let path = dir.file("mutant")
            writeBytes(Self.mutate(original, rng: &rng), path)
            do {
                let image = try reader.read(path)
                #expect(image.pixels.count == image.width * image.height * 3)
                images += 1
            } catch let error as ImageIOError {
                #expect(!error.message.isEmpty)
                errors += 1
            }
        }
        #expect(images + errors == count)
    }
}
