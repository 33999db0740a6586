/// Integer-factor reduction by box averaging (as QuPath analyses 40× scans at 20×).
public enum Downsample {
    /// Averages each `factor × factor` block of RGB (rounded); a partial last row/column block
    /// is dropped. The pixel size is multiplied by `factor`.
    public static func box(_ image: RGBImage, factor: Int) -> RGBImage {
        guard factor > 1 else { return image }
        let w = image.width / factor, h = image.height / factor
        var out = [UInt8](repeating: 0, count: w * h * 3)
        let area = UInt32(factor * factor)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
                        for dy in 0..<factor {
                            var i = ((y &* factor &+ dy) &* image.width &+ x &* factor) &* 3
                            for _ in 0..<factor {
                                r &+= UInt32(src[i]); g &+= UInt32(src[i &+ 1]); b &+= UInt32(src[i &+ 2])
                                i &+= 3
                            }
                        }
                        let o = (y &* w &+ x) &* 3
                        dst[o] = UInt8(truncatingIfNeeded: (r &+ area / 2) / area)
                        dst[o &+ 1] = UInt8(truncatingIfNeeded: (g &+ area / 2) / area)
                        dst[o &+ 2] = UInt8(truncatingIfNeeded: (b &+ area / 2) / area)
                    }
                }
            }
        }
        let size = image.pixelSize.map { PixelSize(x: $0.x * Double(factor), y: $0.y * Double(factor), source: $0.source) }
        return RGBImage(width: w, height: h, pixels: out, pixelSize: size)
    }
}
