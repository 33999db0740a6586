import Testing
import StainScore

@Suite("Bad input")
struct BadInputTests {
    let reader = ImageReader()

    func expectError(_ path: String, _ kind: ImageIOError.Kind, containing text: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: ImageIOError.self, sourceLocation: sourceLocation) { try reader.read(path) }
        #expect(error?.kind == kind, "\(error?.description ?? "no error")", sourceLocation: sourceLocation)
        #expect(error?.path == path, sourceLocation: sourceLocation)
        if let text {
            #expect(error?.message.contains(text) == true, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        }
        #expect(error?.description.contains("\n") == false, sourceLocation: sourceLocation)
    }

    @Test("missing file, folder, empty file, random bytes")
    func notImages() throws {
        let dir = TemporaryDirectory()
        expectError(dir.file("nope.png"), .cannotRead, containing: "no such file")
        expectError(dir.path, .cannotRead, containing: "directory")
        writeBytes([], dir.file("empty.tif"))
        expectError(dir.file("empty.tif"), .empty, containing: "0 bytes")
        var rng = SplitMix64(seed: 4)
        writeBytes((0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, dir.file("noise.png"))
        expectError(dir.file("noise.png"), .unrecognisedFormat, containing: "not a PNG, JPEG or TIFF")
        writeBytes(Array("slide,score\n1,3+\n".utf8), dir.file("labels.jpg"))
        expectError(dir.file("labels.jpg"), .unrecognisedFormat)
    }

    @Test("a wrong extension: decoded by content, with a warning")
    func wrongExtension() throws {
        let dir = TemporaryDirectory()
        let image = randomImage(width: 9, height: 4, seed: 2)
        try ImageWriter.writePNG(image, to: dir.file("really-a-png.jpg"))
        #expect(try reader.read(dir.file("really-a-png.jpg")) == image)
        let info = try reader.info(of: dir.file("really-a-png.jpg"))
        #expect(info.format == .png)
        #expect(info.warnings == ["the file name says JPEG but the content is PNG"])
    }

    @Test("a header claiming 100000 × 100000 is refused before allocating")
    func hugeHeaders() throws {
        let dir = TemporaryDirectory()
        // PNG: a valid IHDR (with CRC), a token IDAT and IEND.
        let ihdr = bigEndian32(100_000) + bigEndian32(100_000) + [8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        writeBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", ihdr) + pngChunk("IDAT", idat)
                   + pngChunk("IEND", []), dir.file("huge.png"))
        expectError(dir.file("huge.png"), .tooLarge, containing: "100000×100000")
        #expect(try reader.info(of: dir.file("huge.png")).width == 100_000)  // the header itself is readable
        // TIFF: a hand-made IFD.
        let tiff = handMadeTIFF(entries: [
            (256, 4, 1, 100_000), (257, 4, 1, 100_000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, 100_000), (279, 4, 1, 16),
        ], tail: [UInt8](repeating: 0, count: 16))
        writeBytes(tiff, dir.file("huge.tif"))
        expectError(dir.file("huge.tif"), .tooLarge, containing: "pixel budget")
        // JPEG: a real file whose frame header is rewritten to 65000 × 65000.
        try ImageWriter.writeJPEG(randomImage(width: 16, height: 16, seed: 1), to: dir.file("small.jpg"))
        var jpeg = readBytes(dir.file("small.jpg"))
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFD; jpeg[sof + 6] = 0xE8  // height 65000
        jpeg[sof + 7] = 0xFD; jpeg[sof + 8] = 0xE8  // width 65000
        writeBytes(jpeg, dir.file("huge.jpg"))
        expectError(dir.file("huge.jpg"), .tooLarge)
        // A small budget applies to ordinary files too.
        try ImageWriter.writePNG(randomImage(width: 100, height: 100, seed: 1), to: dir.file("100.png"))
        #expect(throws: ImageIOError.self) { try ImageReader(pixelBudget: 9_999).read(dir.file("100.png")) }
        #expect(try ImageReader(pixelBudget: 10_000).read(dir.file("100.png")).width == 100)
    }

    @Test("unsupported variants: float TIFF, CMYK JPEG, 12-bit JPEG")
    func unsupported() throws {
        let dir = TemporaryDirectory()
        let float = handMadeTIFF(entries: [
            (256, 3, 1, 2), (257, 3, 1, 2), (258, 3, 1, 32), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, 8 + 2 + 12 * 10 + 4), (277, 3, 1, 1), (278, 3, 1, 2), (279, 4, 1, 16), (339, 3, 1, 3),
        ], tail: [UInt8](repeating: 0x3F, count: 16))
        writeBytes(float, dir.file("float.tif"))
        expectError(dir.file("float.tif"), .unsupported)
        try ImageWriter.writeJPEG(samples: [UInt8](repeating: 40, count: 16 * 16 * 4), width: 16, height: 16,
                                  channels: 4, encoding: JPEGEncoding(), to: dir.file("cmyk.jpg"))
        expectError(dir.file("cmyk.jpg"), .unsupported, containing: "JPEG is not supported")
        try ImageWriter.writeJPEG(randomImage(width: 16, height: 16, seed: 1), to: dir.file("8bit.jpg"))
        var jpeg = readBytes(dir.file("8bit.jpg"))
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 4] = 12
        writeBytes(jpeg, dir.file("12bit.jpg"))
        expectError(dir.file("12bit.jpg"), .unsupported, containing: "12-bit")
    }

    /// Every strict prefix of a valid file either fails with an error or — where the cut only
    /// removed bytes the decoder never needs — returns exactly the original pixels.
    @Test("truncated at every byte", arguments: ["png", "png-interlaced", "jpeg", "jpeg-progressive", "tiff-lzw", "tiff-tiled-jpeg"])
    func truncated(_ variant: String) throws {
        let dir = TemporaryDirectory()
        let image = smoothImage(width: 24, height: 16, seed: 8)
        let path = dir.file("whole")
        switch variant {
        case "png": try ImageWriter.writePNG(image, to: path)
        case "png-interlaced":
            try ImageWriter.writePNG(packedRows: image.pixels, width: 24, height: 16,
                                     encoding: PNGEncoding(interlaced: true), to: path)
        case "jpeg": try ImageWriter.writeJPEG(image, to: path)
        case "jpeg-progressive": try ImageWriter.writeJPEG(image, to: path, encoding: JPEGEncoding(progressive: true))
        case "tiff-lzw": try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .lzw, rowsPerStrip: 4))
        default:
            try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .jpeg, photometric: .ycbcr, tileSize: (16, 16)))
        }
        let bytes = readBytes(path)
        let original = try reader.read(path)
        var errors = 0, intact = 0, wrong = 0
        for length in 0..<bytes.count {
            let cut = dir.file("cut")
            writeBytes(Array(bytes.prefix(length)), cut)
            do {
                let decoded = try reader.read(cut)
                if decoded == original { intact += 1 } else { wrong += 1 }
            } catch is ImageIOError {
                errors += 1
            }
        }
        #expect(wrong == 0, "\(wrong) truncations decoded to different pixels")
        #expect(errors + intact == bytes.count)
        if variant.hasPrefix("png") || variant.hasPrefix("jpeg") {
            #expect(intact == 0, "a PNG or JPEG without its end must be an error")
        }
    }

    @Test("corrupt bytes inside the compressed data are reported with the library's message")
    func corruptData() throws {
        let dir = TemporaryDirectory()
        try ImageWriter.writePNG(randomImage(width: 32, height: 32, seed: 1), to: dir.file("a.png"))
        var png = readBytes(dir.file("a.png"))
        let idat = try #require((0..<(png.count - 4)).first { Array(png[$0..<($0 + 4)]) == Array("IDAT".utf8) })
        png[idat + 20] ^= 0xFF
        writeBytes(png, dir.file("crc.png"))
        expectError(dir.file("crc.png"), .corrupt, containing: "libpng")
        try ImageWriter.writeTIFF(randomImage(width: 32, height: 32, seed: 1), to: dir.file("a.tif"),
                                  encoding: TIFFEncoding(compression: .lzw))
        var tif = readBytes(dir.file("a.tif"))
        for i in 8..<200 { tif[i] = 0xFF }
        writeBytes(tif, dir.file("bad.tif"))
        expectError(dir.file("bad.tif"), .corrupt, containing: "libtiff")
    }
}
