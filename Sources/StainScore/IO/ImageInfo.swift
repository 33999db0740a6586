/// What an image file really is: read from its header, no pixel data decoded.
public struct ImageInfo: Sendable, Equatable, Codable {
    /// How the pixel data is laid out in the file.
    public enum Layout: Sendable, Equatable, Codable {
        /// One stream (PNG, JPEG).
        case whole
        /// TIFF strips of `rowsPerStrip` rows.
        case strips(rowsPerStrip: Int)
        /// TIFF tiles.
        case tiles(width: Int, height: Int)
    }

    public var path: String
    public var format: ImageFormat
    public var fileSize: Int
    public var width: Int
    public var height: Int
    /// Pages (TIFF directories); 1 for PNG and JPEG.
    public var pages: Int
    /// The page these facts describe.
    public var page: Int
    public var bitsPerSample: Int
    public var samplesPerPixel: Int
    public var hasAlpha: Bool
    /// grey, grey+alpha, rgb, rgba, palette, ycbcr, cmyk, min-is-white, …
    public var colorModel: String
    /// deflate, none, lzw, jpeg, zstd, webp, jpeg-baseline, jpeg-progressive, …
    public var compression: String
    /// Adam7 (PNG) or progressive (JPEG).
    public var interlaced: Bool
    public var layout: Layout
    public var planarSeparate: Bool
    public var bigTIFF: Bool
    /// Read through libtiff's slower RGBA reader (odd photometrics and bit depths).
    public var usesFallbackReader: Bool
    /// Physical pixel size, when the file carries a plausible one.
    public var pixelSize: PixelSize?
    /// Things worth knowing that do not stop reading (extension mismatch, ignored resolution…).
    public var warnings: [String]

    public var pixelCount: Int { width * height }
}

extension ImageInfo.Layout {
    private enum CodingKeys: String, CodingKey { case kind, rowsPerStrip, width, height }

    /// `{"kind": "whole"}`, `{"kind": "strips", "rowsPerStrip": 16}` or
    /// `{"kind": "tiles", "width": 256, "height": 256}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .whole:
            try c.encode("whole", forKey: .kind)
        case .strips(let rows):
            try c.encode("strips", forKey: .kind)
            try c.encode(rows, forKey: .rowsPerStrip)
        case .tiles(let w, let h):
            try c.encode("tiles", forKey: .kind)
            try c.encode(w, forKey: .width)
            try c.encode(h, forKey: .height)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "strips": self = .strips(rowsPerStrip: try c.decode(Int.self, forKey: .rowsPerStrip))
        case "tiles": self = .tiles(width: try c.decode(Int.self, forKey: .width),
                                    height: try c.decode(Int.self, forKey: .height))
        default: self = .whole
        }
    }
}
