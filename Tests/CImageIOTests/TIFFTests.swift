import Testing
import StainScore

/// One TIFF variant and whether its codec is lossless.
struct TIFFCase: Sendable, CustomTestStringConvertible {
    var name: String
    var encoding: TIFFEncoding
    var bigTIFF = false
    var lossless = true
    var testDescription: String { name }

    static let all: [TIFFCase] = [
        TIFFCase(name: "rgb8 none strips", encoding: TIFFEncoding(compression: .none)),
        TIFFCase(name: "rgb8 lzw strips of 7", encoding: TIFFEncoding(compression: .lzw, rowsPerStrip: 7)),
        TIFFCase(name: "rgb8 deflate tiles 16", encoding: TIFFEncoding(compression: .deflate, tileSize: (16, 16))),
        TIFFCase(name: "rgb8 packbits", encoding: TIFFEncoding(compression: .packbits)),
        TIFFCase(name: "rgb8 zstd", encoding: TIFFEncoding(compression: .zstd)),
        TIFFCase(name: "rgb8 webp lossless", encoding: TIFFEncoding(compression: .webp)),
        TIFFCase(name: "rgb8 lzma", encoding: TIFFEncoding(compression: .lzma)),
        TIFFCase(name: "rgb16 deflate", encoding: TIFFEncoding(compression: .deflate, bitsPerSample: 16)),
        TIFFCase(name: "rgb16 none planar tiles 16",
                 encoding: TIFFEncoding(compression: .none, bitsPerSample: 16, planarSeparate: true, tileSize: (16, 16))),
        TIFFCase(name: "rgb8 lzw planar strips of 5", encoding: TIFFEncoding(compression: .lzw, planarSeparate: true, rowsPerStrip: 5)),
        TIFFCase(name: "grey8 none", encoding: TIFFEncoding(compression: .none, photometric: .minIsBlack)),
        TIFFCase(name: "grey16 lzw", encoding: TIFFEncoding(compression: .lzw, photometric: .minIsBlack, bitsPerSample: 16)),
        TIFFCase(name: "min-is-white 8", encoding: TIFFEncoding(compression: .deflate, photometric: .minIsWhite)),
        TIFFCase(name: "min-is-white 16", encoding: TIFFEncoding(compression: .none, photometric: .minIsWhite, bitsPerSample: 16)),
        TIFFCase(name: "rgba8 unassociated deflate", encoding: TIFFEncoding(compression: .deflate, alpha: .unassociated)),
        TIFFCase(name: "rgba8 associated tiles", encoding: TIFFEncoding(compression: .lzw, alpha: .associated, tileSize: (16, 16))),
        TIFFCase(name: "rgba16 unassociated planar",
                 encoding: TIFFEncoding(compression: .zstd, bitsPerSample: 16, alpha: .unassociated, planarSeparate: true)),
        TIFFCase(name: "grey8+alpha", encoding: TIFFEncoding(compression: .none, photometric: .minIsBlack, alpha: .unassociated)),
        TIFFCase(name: "palette8", encoding: TIFFEncoding(compression: .packbits, photometric: .palette)),
        TIFFCase(name: "palette4 (RGBA reader)", encoding: TIFFEncoding(compression: .none, photometric: .palette, bitsPerSample: 4)),
        TIFFCase(name: "grey1 (RGBA reader)", encoding: TIFFEncoding(compression: .packbits, photometric: .minIsBlack, bitsPerSample: 1)),
        TIFFCase(name: "BigTIFF rgb8 deflate tiles 32", encoding: TIFFEncoding(compression: .deflate, tileSize: (32, 32)), bigTIFF: true),
        TIFFCase(name: "BigTIFF grey16 strips", encoding: TIFFEncoding(compression: .lzw, photometric: .minIsBlack, bitsPerSample: 16), bigTIFF: true),
        TIFFCase(name: "jpeg ycbcr strips of 16", encoding: TIFFEncoding(compression: .jpeg, photometric: .ycbcr, rowsPerStrip: 16), lossless: false),
        TIFFCase(name: "jpeg ycbcr tiles 16", encoding: TIFFEncoding(compression: .jpeg, photometric: .ycbcr, tileSize: (16, 16)), lossless: false),
        TIFFCase(name: "jpeg rgb strips", encoding: TIFFEncoding(compression: .jpeg, photometric: .rgb, rowsPerStrip: 8), lossless: false),
    ]
}

@Suite("TIFF")
struct TIFFTests {
    /// Random samples for the case and the RGB the reader must return.
    static func make(_ c: TIFFCase, width: Int, height: Int, seed: UInt64) -> (TIFFPage, [UInt8]) {
        var e = c.encoding
        e.jpegQuality = 95
        var rng = SplitMix64(seed: seed)
        let bits = e.bitsPerSample
        let spp = e.samplesPerPixel
        let maxValue = (1 << bits) - 1
        var expected = [UInt8](repeating: 0, count: width * height * 3)
        if !c.lossless {
            // Lossy: smooth content, compared with a tolerance.
            let image = smoothImage(width: width, height: height, seed: seed)
            return (TIFFPage(width: width, height: height, samples: .uint8(image.pixels), encoding: e), image.pixels)
        }
        var colormap: [[Int]] = []
        if e.photometric == .palette {
            // 8-bit colours stored as v × 257, as writers do; both readers then agree exactly.
            colormap = (0..<(1 << bits)).map { _ in (0..<3).map { _ in Int(rng.next() % 256) } }
            e.colormap = (0..<3).flatMap { k in colormap.map { UInt16($0[k] * 257) } }
        }
        var values = [Int](repeating: 0, count: width * height * spp)
        for p in 0..<(width * height) {
            var s = (0..<spp).map { _ in Int(rng.next() % UInt64(maxValue + 1)) }
            if e.alpha == .associated {
                for k in 0..<(spp - 1) { s[k] = s[k] * s[spp - 1] / maxValue }  // premultiplied: c ≤ a
            }
            for k in 0..<spp { values[p * spp + k] = s[k] }
            var rgb: [Int]
            switch e.photometric {
            case .palette: rgb = colormap[s[0]]
            case .minIsBlack: rgb = Array(repeating: Oracle.to8(s[0], bits: bits), count: 3)
            case .minIsWhite: rgb = Array(repeating: 255 - Oracle.to8(s[0], bits: bits), count: 3)
            default: rgb = s[0..<3].map { Oracle.to8($0, bits: bits) }
            }
            if e.alpha != .none {
                let a = Oracle.to8(s[spp - 1], bits: bits)
                rgb = rgb.map { e.alpha == .associated ? Oracle.premultipliedOverWhite($0, a) : Oracle.overWhite($0, a) }
            }
            for k in 0..<3 { expected[p * 3 + k] = UInt8(rgb[k]) }
        }
        let samples: TIFFPage.Samples
        if bits == 16 {
            samples = .uint16(values.map { UInt16($0) })
        } else if bits == 8 {
            samples = .uint8(values.map { UInt8($0) })
        } else {
            let rowBytes = (width * bits + 7) / 8
            var packed = [UInt8](repeating: 0, count: rowBytes * height)
            for y in 0..<height {
                for x in 0..<width {
                    let bit = x * bits
                    packed[y * rowBytes + bit / 8] |= UInt8(values[y * width + x] << (8 - bits - bit % 8))
                }
            }
            samples = .uint8(packed)
        }
        return (TIFFPage(width: width, height: height, samples: samples, encoding: e), expected)
    }

    @Test("round trip", arguments: TIFFCase.all)
    func roundTrip(_ c: TIFFCase) throws {
        try #require(c.encoding.compression.isAvailable, "codec not in this libtiff")
        let dir = TemporaryDirectory()
        let (width, height) = (37, 23)
        let (page, expected) = Self.make(c, width: width, height: height, seed: 77)
        let path = dir.file("case.tif")
        try ImageWriter.writeTIFF(pages: [page], to: path, bigTIFF: c.bigTIFF)
        let image = try ImageReader().read(path)
        #expect(image.width == width && image.height == height)
        if c.lossless {
            let exact = image.pixels == expected
        #expect(exact)
        } else {
            // JPEG quality 95 on smooth content: stated tolerance, mean ≤ 1.5 and max ≤ 16 levels.
            let d = difference(image, RGBImage(width: width, height: height, pixels: expected))
            #expect(d.mean <= 1.5)
            #expect(d.max <= 16)
        }
        let info = try ImageReader().info(of: path)
        #expect(info.format == .tiff)
        #expect(info.bigTIFF == c.bigTIFF)
        #expect(info.planarSeparate == (c.encoding.planarSeparate))
        #expect(info.bitsPerSample == c.encoding.bitsPerSample)
        #expect(info.samplesPerPixel == c.encoding.samplesPerPixel)
        if let tile = c.encoding.tileSize {
            #expect(info.layout == .tiles(width: tile.width, height: tile.height))
        } else if let rows = c.encoding.rowsPerStrip {
            #expect(info.layout == .strips(rowsPerStrip: rows))
        }
        #expect(info.usesFallbackReader == (c.encoding.bitsPerSample < 8))
    }

    @Test("multi-page: each page on request, page 0 by default, a missing page is an error")
    func multiPage() throws {
        let dir = TemporaryDirectory()
        let images = [randomImage(width: 20, height: 10, seed: 1), randomImage(width: 7, height: 33, seed: 2),
                      randomImage(width: 16, height: 16, seed: 3)]
        let pages = images.enumerated().map { i, image in
            TIFFPage(image, encoding: TIFFEncoding(compression: i == 1 ? .lzw : .deflate, tileSize: i == 2 ? (16, 16) : nil))
        }
        let path = dir.file("pages.tif")
        try ImageWriter.writeTIFF(pages: pages, to: path)
        let reader = ImageReader()
        let first = try reader.read(path) == images[0]
        #expect(first)
        for (i, image) in images.enumerated() {
            let same = try reader.read(path, page: i).pixels == image.pixels
            #expect(same)
            let info = try reader.info(of: path, page: i)
            #expect(info.pages == 3 && info.page == i && info.width == image.width)
        }
        let error = #expect(throws: ImageIOError.self) { try reader.read(path, page: 3) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("3 pages") == true)
    }
}
