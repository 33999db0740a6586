import Foundation
import StainScore

/// A fresh temporary folder, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/ihc-score-tests-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func readBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeBytes(_ bytes: [UInt8], _ path: String) {
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Reference conversions, written from the definitions in CImageIO.h, not from the C code.
enum Oracle {
    /// A sample of `bits` bits scaled to 8 bits: exact replication below 8, round(v/257) at 16.
    static func to8(_ v: Int, bits: Int) -> Int {
        switch bits {
        case 16: Int((Double(v) / 257).rounded())
        case 8: v
        default: v * 255 / ((1 << bits) - 1)
        }
    }

    /// Unassociated alpha over white.
    static func overWhite(_ c: Int, _ a: Int) -> Int {
        Int((Double(c * a + 255 * (255 - a)) / 255).rounded())
    }

    /// Premultiplied alpha over white.
    static func premultipliedOverWhite(_ c: Int, _ a: Int) -> Int { min(255, c + 255 - a) }
}

/// A smooth, slightly noisy RGB picture (JPEG-friendly) of odd size.
func smoothImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
    var rng = SplitMix64(seed: seed)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            let noise = Int(rng.next() % 5) - 2
            pixels[i] = UInt8(clamping: 60 + x * 150 / max(1, width - 1) + noise)
            pixels[i + 1] = UInt8(clamping: 200 - y * 120 / max(1, height - 1) + noise)
            pixels[i + 2] = UInt8(clamping: 120 + (x + y) * 60 / max(1, width + height - 2) + noise)
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Uniformly random RGB samples.
func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
    var rng = SplitMix64(seed: seed)
    let pixels = (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Mean and maximum absolute sample difference.
func difference(_ a: RGBImage, _ b: RGBImage) -> (mean: Double, max: Int) {
    precondition(a.pixels.count == b.pixels.count)
    var total = 0, worst = 0
    for i in a.pixels.indices {
        let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
        total += d
        worst = max(worst, d)
    }
    return (Double(total) / Double(max(1, a.pixels.count)), worst)
}

/// CRC-32 (ISO-HDLC), for hand-built PNG chunks.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
func littleEndian16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func littleEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }

/// A PNG chunk with its length and CRC.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian32(UInt32(data.count)) + body + bigEndian32(crc32(body))
}

/// A minimal little-endian classic TIFF: one IFD of (tag, type, count, value) entries placed
/// right after the header, followed by `tail` bytes (entries may point into it at offset
/// `8 + 2 + 12 * n + 4`).
func handMadeTIFF(entries: [(UInt16, UInt16, UInt32, UInt32)], tail: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0x49, 0x49, 42, 0] + littleEndian32(8)
    bytes += littleEndian16(UInt16(entries.count))
    for (tag, type, count, value) in entries.sorted(by: { $0.0 < $1.0 }) {
        bytes += littleEndian16(tag) + littleEndian16(type) + littleEndian32(count)
        bytes += type == 3 && count == 1 ? littleEndian16(UInt16(value)) + [0, 0] : littleEndian32(value)
    }
    bytes += littleEndian32(0)
    return bytes + tail
}
