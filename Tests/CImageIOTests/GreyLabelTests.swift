import Foundation
import StainScore
import Testing

/// `ImageReader.readGrey16`: single-channel grey PNGs read losslessly (label images).
@Suite("PNG grey labels (readGrey16)")
struct GreyLabelTests {
    /// Random samples of `bitDepth` bits packed as PNG rows, and the values the reader must return.
    static func make(width: Int, height: Int, bitDepth: Int, seed: UInt64) -> (rows: [UInt8], values: [UInt16]) {
        var rng = SplitMix64(seed: seed)
        let rowBytes = (width * bitDepth + 7) / 8
        var rows = [UInt8](repeating: 0, count: rowBytes * height)
        var values = [UInt16](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let v = Int(rng.next() % UInt64(1 << bitDepth))
                values[y * width + x] = UInt16(v)
                if bitDepth == 16 {
                    rows[y * rowBytes + 2 * x] = UInt8(v >> 8)
                    rows[y * rowBytes + 2 * x + 1] = UInt8(v & 0xFF)
                } else {
                    let bit = x * bitDepth
                    rows[y * rowBytes + bit / 8] |= UInt8(v << (8 - bitDepth - bit % 8))
                }
            }
        }
        return (rows, values)
    }

    @Test("stored values come back unchanged, every depth, Adam7 too",
          arguments: [(16, false), (16, true), (8, false), (8, true), (4, false), (2, true), (1, false)])
    func roundTrip(_ depth: Int, _ interlaced: Bool) throws {
        let dir = TemporaryDirectory()
        let (width, height) = (37, 23)
        let (rows, values) = Self.make(width: width, height: height, bitDepth: depth, seed: UInt64(depth * 7 + (interlaced ? 1 : 0)))
        let path = dir.file("labels.png")
        try ImageWriter.writePNG(packedRows: rows, width: width, height: height,
                                 encoding: PNGEncoding(colorType: .grey, bitDepth: depth, interlaced: interlaced), to: path)
        let plane = try ImageReader().readGrey16(path)
        #expect(plane.width == width && plane.height == height)
        #expect(plane.values == values)
        if depth == 16 {
            #expect(plane.values.contains { $0 > 255 }, "the case exercises values beyond 8 bits")
            // The RGB path rounds to 8 bits: labels 1…128 would become 0 there.
            let rgb = try ImageReader().read(path)
            #expect(rgb.pixels.enumerated().allSatisfy { i, v in Int(v) == (Int(values[i / 3]) * 255 + 32895) >> 16 })
        }
    }

    @Test("colour PNG, JPEG and a missing file are refused, naming the file")
    func refused() throws {
        let dir = TemporaryDirectory()
        let image = RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: 9, count: 48))
        try ImageWriter.writePNG(image, to: dir.file("rgb.png"))
        #expect(throws: ImageIOError.self) { try ImageReader().readGrey16(dir.file("rgb.png")) }
        do {
            _ = try ImageReader().readGrey16(dir.file("rgb.png"))
        } catch let e as ImageIOError {
            #expect(e.kind == .unsupported && e.path == dir.file("rgb.png") && e.message.contains("not single-channel grey"))
        }
        try ImageWriter.writeJPEG(image, to: dir.file("a.jpg"))
        do {
            _ = try ImageReader().readGrey16(dir.file("a.jpg"))
            Issue.record("a JPEG was accepted")
        } catch let e as ImageIOError {
            #expect(e.kind == .unsupported)
        }
        do {
            _ = try ImageReader().readGrey16(dir.file("none.png"))
            Issue.record("a missing file was accepted")
        } catch let e as ImageIOError {
            #expect(e.kind == .cannotRead)
        }
        // Grey with alpha is not a label image either.
        try ImageWriter.writePNG(packedRows: [UInt8](repeating: 1, count: 8), width: 2, height: 2,
                                 encoding: PNGEncoding(colorType: .greyAlpha, bitDepth: 8), to: dir.file("ga.png"))
        #expect(throws: ImageIOError.self) { try ImageReader().readGrey16(dir.file("ga.png")) }
    }
}
