import Testing
import StainScore

struct JPEGCase: Sendable, CustomTestStringConvertible {
    var channels: Int
    var subsampling: JPEGEncoding.Subsampling
    var progressive: Bool
    var testDescription: String {
        "\(channels == 1 ? "grey" : "colour \(subsampling.rawValue)")\(progressive ? " progressive" : " baseline")"
    }

    static let all: [JPEGCase] = [false, true].flatMap { p in
        [JPEGCase(channels: 1, subsampling: .s444, progressive: p)]
            + [JPEGEncoding.Subsampling.s444, .s422, .s420].map { JPEGCase(channels: 3, subsampling: $0, progressive: p) }
    }
}

@Suite("JPEG")
struct JPEGTests {
    @Test("round trip within tolerance", arguments: JPEGCase.all)
    func roundTrip(_ c: JPEGCase) throws {
        let dir = TemporaryDirectory()
        let (width, height) = (45, 29)  // partial MCUs on both edges
        let colour = smoothImage(width: width, height: height, seed: 5)
        let samples: [UInt8]
        let expected: RGBImage
        if c.channels == 1 {
            samples = stride(from: 0, to: colour.pixels.count, by: 3).map { colour.pixels[$0 + 1] }
            expected = RGBImage(width: width, height: height, pixels: samples.flatMap { [$0, $0, $0] })
        } else {
            samples = colour.pixels
            expected = colour
        }
        let path = dir.file("case.jpg")
        let encoding = JPEGEncoding(quality: 95, subsampling: c.subsampling, progressive: c.progressive)
        try ImageWriter.writeJPEG(samples: samples, width: width, height: height, channels: c.channels,
                                  encoding: encoding, to: path)
        let image = try ImageReader().read(path)
        #expect(image.width == width && image.height == height)
        // Stated tolerance for quality 95 on smooth content: mean ≤ 1.5, max ≤ 16 levels.
        let d = difference(image, expected)
        #expect(d.mean <= 1.5)
        #expect(d.max <= 16)
        if c.channels == 1 {
            let p = image.pixels
            var grey = true
            for i in stride(from: 0, to: p.count, by: 3) where p[i] != p[i + 1] || p[i] != p[i + 2] { grey = false }
            #expect(grey)
        }
        let info = try ImageReader().info(of: path)
        #expect(info.format == .jpeg)
        #expect(info.interlaced == c.progressive)
        #expect(info.compression == (c.progressive ? "jpeg-progressive" : "jpeg-baseline"))
        #expect(info.colorModel == (c.channels == 1 ? "grey" : "ycbcr"))
        #expect(info.samplesPerPixel == c.channels)
    }

    @Test("decoding is deterministic")
    func deterministic() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("d.jpg")
        try ImageWriter.writeJPEG(randomImage(width: 33, height: 17, seed: 3), to: path)
        #expect(try ImageReader().read(path) == ImageReader().read(path))
    }
}

@Suite("Pixel size metadata")
struct PixelSizeMetadataTests {
    let size = PixelSize(micronsPerPixel: 0.25, source: .user)

    @Test("PNG pHYs")
    func png() throws {
        let dir = TemporaryDirectory()
        var image = randomImage(width: 8, height: 8, seed: 1)
        image.pixelSize = PixelSize(x: 0.25, y: 0.5, source: .user)
        try ImageWriter.writePNG(image, to: dir.file("a.png"))
        let read = try ImageReader().read(dir.file("a.png")).pixelSize
        #expect(read == PixelSize(x: 0.25, y: 0.5, source: .pngPHYs))
    }

    @Test("JPEG JFIF density in dots per centimetre and per inch")
    func jpeg() throws {
        let dir = TemporaryDirectory()
        var image = randomImage(width: 8, height: 8, seed: 1)
        image.pixelSize = size
        try ImageWriter.writeJPEG(image, to: dir.file("cm.jpg"))
        #expect(try ImageReader().info(of: dir.file("cm.jpg")).pixelSize == PixelSize(micronsPerPixel: 0.25, source: .jfifDensity))
        // Rewrite the JFIF header by hand: units = 1 (dpi), 50800 dpi = 0.5 µm/px.
        var bytes = readBytes(dir.file("cm.jpg"))
        #expect(Array(bytes[6..<11]) == Array("JFIF\0".utf8))
        bytes[13] = 1
        bytes[14] = 0xC6; bytes[15] = 0x70  // 50800
        bytes[16] = 0xC6; bytes[17] = 0x70
        writeBytes(bytes, dir.file("dpi.jpg"))
        #expect(try ImageReader().info(of: dir.file("dpi.jpg")).pixelSize == PixelSize(micronsPerPixel: 0.5, source: .jfifDensity))
        // units = 0 is an aspect ratio only: unknown.
        bytes[13] = 0
        writeBytes(bytes, dir.file("aspect.jpg"))
        #expect(try ImageReader().info(of: dir.file("aspect.jpg")).pixelSize == nil)
    }

    @Test("TIFF resolution in centimetres and inches")
    func tiff() throws {
        let dir = TemporaryDirectory()
        let image = randomImage(width: 8, height: 8, seed: 1)
        for unit in [TIFFEncoding.ResolutionUnit.centimeter, .inch] {
            var encoding = TIFFEncoding(pixelSize: PixelSize(x: 0.5, y: 0.25, source: .user))
            encoding.resolutionUnit = unit
            try ImageWriter.writeTIFF(image, to: dir.file("r.tif"), encoding: encoding)
            let read = try #require(try ImageReader().info(of: dir.file("r.tif")).pixelSize)
            #expect(read.source == .tiffResolution)
            // XResolution is stored as a 32-bit float rational: 6 significant digits.
            #expect(abs(read.x - 0.5) < 1e-6 && abs(read.y - 0.25) < 1e-6)
        }
    }

    @Test("Aperio MPP in ImageDescription wins over the resolution tags")
    func aperio() throws {
        let dir = TemporaryDirectory()
        let description = "Aperio Image Library v10.0.50\r\n2220x2967 [0,100 46000x32914] (240x240) JPEG/RGB Q=30|AppMag = 20|StripeWidth = 2040|MPP = 0.4990|Left = 25.691574|Top = 23.449873"
        let encoding = TIFFEncoding(pixelSize: PixelSize(micronsPerPixel: 352.8, source: .user), description: description)
        try ImageWriter.writeTIFF(randomImage(width: 8, height: 8, seed: 1), to: dir.file("a.svs.tif"), encoding: encoding)
        #expect(try ImageReader().info(of: dir.file("a.svs.tif")).pixelSize == PixelSize(micronsPerPixel: 0.499, source: .aperioMPP))
        #expect(PixelSize.aperioMPP(inDescription: "x|mpp=0.25|y") == 0.25)
        #expect(PixelSize.aperioMPP(inDescription: "MPP = abc|MPPX = 3") == nil)
    }

    @Test("no metadata is unknown; a 72 dpi placeholder is ignored with a warning")
    func unknown() throws {
        let dir = TemporaryDirectory()
        let image = randomImage(width: 8, height: 8, seed: 1)
        try ImageWriter.writePNG(image, to: dir.file("none.png"))
        try ImageWriter.writeTIFF(image, to: dir.file("none.tif"))
        try ImageWriter.writeJPEG(image, to: dir.file("none.jpg"))
        for name in ["none.png", "none.tif", "none.jpg"] {
            let info = try ImageReader().info(of: dir.file(name))
            #expect(info.pixelSize == nil)
            #expect(info.warnings.isEmpty)
        }
        var encoding = TIFFEncoding(pixelSize: PixelSize(micronsPerPixel: 25_400.0 / 72, source: .user))
        encoding.resolutionUnit = .inch
        try ImageWriter.writeTIFF(image, to: dir.file("72dpi.tif"), encoding: encoding)
        let info = try ImageReader().info(of: dir.file("72dpi.tif"))
        #expect(info.pixelSize == nil)
        #expect(info.warnings.contains { $0.contains("352.778 µm/px") })
    }
}

@Suite("Region reads")
struct RegionReadTests {
    static let rects = [
        PixelRect(x: 0, y: 0, width: 1, height: 1), PixelRect(x: 99, y: 70, width: 1, height: 1),
        PixelRect(x: 0, y: 0, width: 100, height: 71), PixelRect(x: 13, y: 5, width: 40, height: 33),
        PixelRect(x: 31, y: 31, width: 2, height: 40), PixelRect(x: 60, y: 60, width: 40, height: 11),
    ]

    static let encodings: [(String, TIFFEncoding)] = [
        ("tiled 32", TIFFEncoding(compression: .deflate, tileSize: (32, 32))),
        ("tiled 16 planar", TIFFEncoding(compression: .lzw, planarSeparate: true, tileSize: (16, 16))),
        ("strips of 9", TIFFEncoding(compression: .lzw, rowsPerStrip: 9)),
        ("jpeg tiles", TIFFEncoding(compression: .jpeg, photometric: .ycbcr, tileSize: (16, 16))),
        ("grey16 tiles", TIFFEncoding(compression: .none, photometric: .minIsBlack, bitsPerSample: 16, tileSize: (16, 16))),
        ("palette4 strips (RGBA reader)", TIFFEncoding(compression: .none, photometric: .palette, bitsPerSample: 4, rowsPerStrip: 10)),
    ]

    @Test("a TIFF region equals the same rectangle of a full decode", arguments: 0..<encodings.count)
    func tiffRegion(_ index: Int) throws {
        let dir = TemporaryDirectory()
        let (name, encoding) = Self.encodings[index]
        let c = TIFFCase(name: name, encoding: encoding, lossless: encoding.compression != .jpeg)
        let (page, _) = TIFFTests.make(c, width: 100, height: 71, seed: 12)
        let path = dir.file("region.tif")
        try ImageWriter.writeTIFF(pages: [page], to: path)
        let reader = ImageReader()
        let full = try reader.read(path)
        for rect in Self.rects {
            let same = try reader.read(path, region: rect) == full.cropped(to: rect)
            #expect(same, "\(name) \(rect)")
        }
    }

    @Test("PNG and JPEG regions, and regions outside the image are refused")
    func otherFormats() throws {
        let dir = TemporaryDirectory()
        let image = smoothImage(width: 100, height: 71, seed: 3)
        try ImageWriter.writePNG(image, to: dir.file("r.png"))
        try ImageWriter.writeJPEG(image, to: dir.file("r.jpg"))
        try ImageWriter.writeTIFF(image, to: dir.file("r.tif"), encoding: TIFFEncoding(tileSize: (16, 16)))
        let reader = ImageReader()
        for name in ["r.png", "r.jpg"] {
            let full = try reader.read(dir.file(name))
            for rect in Self.rects {
                let same = try reader.read(dir.file(name), region: rect) == full.cropped(to: rect)
                #expect(same, "\(name) \(rect)")
            }
        }
        for name in ["r.png", "r.jpg", "r.tif"] {
            for bad in [PixelRect(x: 90, y: 0, width: 11, height: 5), PixelRect(x: -1, y: 0, width: 5, height: 5),
                        PixelRect(x: 0, y: 0, width: 0, height: 5), PixelRect(x: 0, y: 71, width: 1, height: 1)] {
                let error = #expect(throws: ImageIOError.self) { try reader.read(dir.file(name), region: bad) }
                #expect(error?.kind == .invalidRequest)
            }
        }
    }
}
