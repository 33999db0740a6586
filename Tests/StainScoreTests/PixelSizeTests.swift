import Foundation
import Testing
import StainScore

@Suite("PixelSize")
struct PixelSizeTests {
    @Test("µm ↔ px conversions")
    func conversions() {
        let size = PixelSize(micronsPerPixel: 0.5, source: .user)
        #expect(size.pixels(fromMicrons: 8) == 16)
        #expect(size.microns(fromPixels: 16) == 8)
        #expect(size.pixelArea(fromSquareMicrons: 50) == 200)
        #expect(size.squareMicrons(fromPixels: 200) == 50)
        let anisotropic = PixelSize(x: 0.25, y: 0.5, source: .user)
        #expect(anisotropic.micronsPerPixel == 0.375)
        #expect(anisotropic.squareMicrons(fromPixels: 8) == 1)
    }

    @Test("plausibility for microscopy", arguments: [(0.25, true), (0.5, true), (20.0, true), (0.01, false), (352.8, false)])
    func plausible(_ value: Double, _ expected: Bool) {
        #expect(PixelSize(micronsPerPixel: value, source: .user).isPlausibleForMicroscopy == expected)
    }

    @Test("Aperio description parsing")
    func aperio() {
        #expect(PixelSize.aperioMPP(inDescription: "Aperio Image Library v11|AppMag = 40|MPP = 0.2527|Left = 1") == 0.2527)
        #expect(PixelSize.aperioMPP(inDescription: "no fields here") == nil)
        #expect(PixelSize.aperioMPP(inDescription: "MPP = -1") == nil)
        #expect(PixelSize.aperioMPP(inDescription: "MPP = nan") == nil)
    }
}

@Suite("RGBImage")
struct RGBImageTests {
    @Test("crop equals a pixel-by-pixel copy")
    func crop() {
        var rng = SplitMix64(seed: 1)
        let pixels = (0..<(7 * 5 * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let image = RGBImage(width: 7, height: 5, pixels: pixels)
        let rect = PixelRect(x: 2, y: 1, width: 4, height: 3)
        let crop = image.cropped(to: rect)
        for y in 0..<3 {
            for x in 0..<4 { #expect(crop[x, y] == image[x + 2, y + 1]) }
        }
    }

    @Test("format sniffing ignores the name")
    func sniff() {
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("II*\0".utf8)) == .tiff)
        #expect(ImageFormat.sniff([0x4D, 0x4D, 0, 43]) == .tiff)  // big-endian BigTIFF
        #expect(ImageFormat.sniff([0x89, 0x50]) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
        #expect(ImageFormat.fromExtension(of: "a/b.TIFF") == .tiff)
        #expect(ImageFormat.fromExtension(of: "a.b/c") == nil)
    }
}

@Suite("AtomicFile")
struct AtomicFileTests {
    @Test("replaces the whole file or nothing; no temporary file is left behind")
    func atomic() throws {
        let dir = "/tmp/ihc-atomic-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.txt"
        try AtomicFile.write("first\n", to: path)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: path) { temporary in
                try AtomicFile.write("partial", to: temporary)
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"])
    }
}
