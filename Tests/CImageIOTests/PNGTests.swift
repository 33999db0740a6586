import Testing
import StainScore

/// One PNG variant: colour type × bit depth × interlacing.
struct PNGCase: Sendable, CustomTestStringConvertible {
    var colorType: PNGEncoding.ColorType
    var bitDepth: Int
    var interlaced: Bool
    var testDescription: String { "\(colorType) \(bitDepth)-bit\(interlaced ? " Adam7" : "")" }

    static let all: [PNGCase] = {
        let depths: [(PNGEncoding.ColorType, [Int])] = [
            (.grey, [1, 2, 4, 8, 16]), (.rgb, [8, 16]), (.palette, [1, 2, 4, 8]),
            (.greyAlpha, [8, 16]), (.rgba, [8, 16]),
        ]
        return depths.flatMap { type, bits in
            bits.flatMap { b in [false, true].map { PNGCase(colorType: type, bitDepth: b, interlaced: $0) } }
        }
    }()
}

@Suite("PNG")
struct PNGTests {
    /// Builds random samples for a case, packs them as PNG rows, and computes the RGB the
    /// reader must return (from the documented conversions).
    static func make(_ c: PNGCase, width: Int, height: Int, seed: UInt64)
        -> (rows: [UInt8], encoding: PNGEncoding, expected: [UInt8])
    {
        var rng = SplitMix64(seed: seed)
        let channels = c.colorType.channels
        let maxValue = (1 << c.bitDepth) - 1
        var encoding = PNGEncoding(colorType: c.colorType, bitDepth: c.bitDepth, interlaced: c.interlaced)
        var palette: [[Int]] = []
        var paletteAlpha: [Int] = []
        if c.colorType == .palette {
            let entries = 1 << c.bitDepth
            palette = (0..<entries).map { _ in (0..<3).map { _ in Int(rng.next() % 256) } }
            // Transparency for the first half of the entries only (tRNS may be short).
            paletteAlpha = (0..<(entries + 1) / 2).map { _ in Int(rng.next() % 256) }
            encoding.palette = palette.flatMap { $0.map(UInt8.init) }
            encoding.paletteAlpha = paletteAlpha.map(UInt8.init)
        }
        let rowBytes = encoding.rowBytes(width: width)
        var rows = [UInt8](repeating: 0, count: rowBytes * height)
        var expected = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            var bitPosition = 0
            for x in 0..<width {
                var samples: [Int] = []
                for _ in 0..<channels {
                    let v = Int(rng.next() % UInt64(maxValue + 1))
                    samples.append(v)
                    if c.bitDepth == 16 {
                        rows[y * rowBytes + bitPosition / 8] = UInt8(v >> 8)
                        rows[y * rowBytes + bitPosition / 8 + 1] = UInt8(v & 0xFF)
                    } else {
                        let shift = 8 - c.bitDepth - bitPosition % 8
                        rows[y * rowBytes + bitPosition / 8] |= UInt8(v << shift)
                    }
                    bitPosition += c.bitDepth
                }
                var rgb: [Int]
                var alpha = 255
                switch c.colorType {
                case .grey:
                    rgb = Array(repeating: Oracle.to8(samples[0], bits: c.bitDepth), count: 3)
                case .greyAlpha:
                    rgb = Array(repeating: Oracle.to8(samples[0], bits: c.bitDepth), count: 3)
                    alpha = Oracle.to8(samples[1], bits: c.bitDepth)
                case .rgb:
                    rgb = samples.map { Oracle.to8($0, bits: c.bitDepth) }
                case .rgba:
                    rgb = samples[0..<3].map { Oracle.to8($0, bits: c.bitDepth) }
                    alpha = Oracle.to8(samples[3], bits: c.bitDepth)
                case .palette:
                    rgb = palette[samples[0]]
                    alpha = samples[0] < paletteAlpha.count ? paletteAlpha[samples[0]] : 255
                }
                for k in 0..<3 { expected[(y * width + x) * 3 + k] = UInt8(Oracle.overWhite(rgb[k], alpha)) }
            }
        }
        return (rows, encoding, expected)
    }

    @Test("round trip, exact pixels", arguments: PNGCase.all)
    func roundTrip(_ c: PNGCase) throws {
        let dir = TemporaryDirectory()
        let (width, height) = (37, 23)  // odd: partial bytes, partial Adam7 blocks
        let (rows, encoding, expected) = Self.make(c, width: width, height: height, seed: UInt64(c.bitDepth * 31 + Int(c.colorType.rawValue)))
        let path = dir.file("case.png")
        try ImageWriter.writePNG(packedRows: rows, width: width, height: height, encoding: encoding, to: path)
        let image = try ImageReader().read(path)
        #expect(image.width == width && image.height == height)
        let exact = image.pixels == expected
        #expect(exact)
        let info = try ImageReader().info(of: path)
        #expect(info.format == .png)
        #expect(info.bitsPerSample == c.bitDepth)
        #expect(info.samplesPerPixel == c.colorType.channels)
        #expect(info.interlaced == c.interlaced)
        #expect(info.hasAlpha == (c.colorType == .rgba || c.colorType == .greyAlpha || c.colorType == .palette))
        #expect(info.pixelSize == nil)
    }

    @Test("RGB image write/read is lossless, fast filters too")
    func rgbRoundTrip() throws {
        let dir = TemporaryDirectory()
        let image = randomImage(width: 64, height: 3, seed: 9)
        for encoding in [PNGEncoding(), PNGEncoding(compressionLevel: 3, fastFilters: true), PNGEncoding(compressionLevel: 0)] {
            let path = dir.file("rgb.png")
            try ImageWriter.writePNG(image, to: path, encoding: encoding)
            let same = try ImageReader().read(path).pixels == image.pixels
            #expect(same)
        }
    }

    @Test("RGBA overlay written with alpha reads back composited on white")
    func rgbaOverlay() throws {
        let dir = TemporaryDirectory()
        let rgba: [UInt8] = [255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 128]
        let path = dir.file("overlay.png")
        try ImageWriter.writePNG(rgba: rgba, width: 3, height: 1, to: path)
        let image = try ImageReader().read(path)
        // opaque red; fully transparent blue → white; half-transparent black → 127
        #expect(image.pixels == [255, 0, 0, 255, 255, 255, 127, 127, 127])
    }
}
