/// An 8-bit RGB image: interleaved samples, row-major, no padding (`width * 3` bytes a row).
///
/// This is what every loader produces, whatever the file held (grey, palette, 16-bit, alpha
/// composited onto white), so that the analysis sees one layout only.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` samples: R, G, B of pixel (0,0), then (1,0), …
    public var pixels: [UInt8]
    /// The physical pixel size, when known.
    public var pixelSize: PixelSize?

    /// Wraps existing samples; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8], pixelSize: PixelSize? = nil) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage needs width × height × 3 samples")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.pixelSize = pixelSize
    }

    /// A uniform image (white by default: empty glass).
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255),
                pixelSize: PixelSize? = nil) {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: samples.count, by: 3) {
            samples[i] = fill.0
            samples[i + 1] = fill.1
            samples[i + 2] = fill.2
        }
        self.init(width: width, height: height, pixels: samples, pixelSize: pixelSize)
    }

    /// Number of pixels.
    public var pixelCount: Int { width * height }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        get {
            let i = (y * width + x) * 3
            return (pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// A copy of the rectangle `rect`, which must lie inside the image.
    public func cropped(to rect: PixelRect) -> RGBImage {
        precondition(rect.x >= 0 && rect.y >= 0 && rect.width >= 0 && rect.height >= 0
                     && rect.x + rect.width <= width && rect.y + rect.height <= height,
                     "crop rectangle outside the image")
        var out = [UInt8](repeating: 0, count: rect.width * rect.height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<rect.height {
                    let from = ((rect.y + row) * width + rect.x) * 3
                    let to = row * rect.width * 3
                    for i in 0..<(rect.width * 3) { dst[to &+ i] = src[from &+ i] }
                }
            }
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: out, pixelSize: pixelSize)
    }
}

/// A rectangle of pixels: origin at the top-left corner, x to the right, y down.
public struct PixelRect: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}
