import CImageIO

/// How to encode a PNG, for every variant the format has (tests generate each of them).
public struct PNGEncoding: Sendable {
    public enum ColorType: Int32, Sendable, CaseIterable {
        case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6
        /// Samples per pixel in the file.
        public var channels: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    public var colorType: ColorType
    /// 1, 2, 4, 8 or 16, as PNG allows for the colour type.
    public var bitDepth: Int
    /// Adam7 interlacing.
    public var interlaced: Bool
    /// zlib level 0…9; `nil` = libpng's default (6).
    public var compressionLevel: Int?
    /// Filter NONE only: larger files that decode faster (libpng's "fast" trade-off).
    public var fastFilters: Bool
    /// The row filters libpng may choose from; empty = libpng's default (adaptive over all
    /// five). `fastFilters` overrides this with `.none`.
    public var filters: PNGFilters
    /// Bytes per IDAT chunk (libpng's compression buffer size, ≥ 6); `nil` = libpng's 8192.
    public var idatChunkSize: Int?
    /// RGB triples for `.palette`.
    public var palette: [UInt8]
    /// tRNS alpha per palette entry (may be shorter than the palette).
    public var paletteAlpha: [UInt8]
    /// Written as pHYs (pixels per metre).
    public var pixelSize: PixelSize?

    public init(colorType: ColorType = .rgb, bitDepth: Int = 8, interlaced: Bool = false,
                compressionLevel: Int? = nil, fastFilters: Bool = false, palette: [UInt8] = [],
                paletteAlpha: [UInt8] = [], pixelSize: PixelSize? = nil, filters: PNGFilters = [],
                idatChunkSize: Int? = nil) {
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.interlaced = interlaced
        self.compressionLevel = compressionLevel
        self.fastFilters = fastFilters
        self.palette = palette
        self.paletteAlpha = paletteAlpha
        self.pixelSize = pixelSize
        self.filters = filters
        self.idatChunkSize = idatChunkSize
    }

    /// Bytes in one packed row of `width` pixels.
    public func rowBytes(width: Int) -> Int { (width * colorType.channels * bitDepth + 7) / 8 }
}

/// PNG row filters (libpng's PNG_FILTER_* bits).
public struct PNGFilters: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let none = PNGFilters(rawValue: 0x08)
    public static let sub = PNGFilters(rawValue: 0x10)
    public static let up = PNGFilters(rawValue: 0x20)
    public static let average = PNGFilters(rawValue: 0x40)
    public static let paeth = PNGFilters(rawValue: 0x80)
    /// Every filter, libpng choosing per row (what an empty set means too).
    public static let all: PNGFilters = [.none, .sub, .up, .average, .paeth]
}

/// How to encode a JPEG.
public struct JPEGEncoding: Sendable {
    public enum Subsampling: Int32, Sendable { case s444 = 444, s422 = 422, s420 = 420 }
    public var quality: Int
    public var subsampling: Subsampling
    public var progressive: Bool
    /// Written as JFIF density in dots per centimetre, when it fits the 16-bit field.
    public var pixelSize: PixelSize?

    public init(quality: Int = 90, subsampling: Subsampling = .s444, progressive: Bool = false,
                pixelSize: PixelSize? = nil) {
        self.quality = quality
        self.subsampling = subsampling
        self.progressive = progressive
        self.pixelSize = pixelSize
    }
}

/// How to encode one TIFF page.
public struct TIFFEncoding: Sendable {
    /// libtiff COMPRESSION_* codes.
    public enum Compression: Int32, Sendable, CaseIterable {
        case none = 1, lzw = 5, jpeg = 7, deflate = 8, packbits = 32773, lzma = 34925, zstd = 50000, webp = 50001
        /// Whether the system's libtiff was built with this codec.
        public var isAvailable: Bool { CImageIOCalls.tiffCodecAvailable(rawValue) }
    }
    public enum Photometric: Int32, Sendable {
        case minIsWhite = 0, minIsBlack = 1, rgb = 2, palette = 3, ycbcr = 6
    }
    public enum Alpha: Sendable { case none, associated, unassociated }
    public enum ResolutionUnit: Sendable { case inch, centimeter }

    public var compression: Compression
    /// `.ycbcr` only with `.jpeg` compression (the input is still RGB).
    public var photometric: Photometric
    /// 8 or 16 (1/2/4 for single-sample stripped grey or palette pages).
    public var bitsPerSample: Int
    /// Whether an alpha sample follows the colour samples.
    public var alpha: Alpha
    public var planarSeparate: Bool
    /// Tile size (multiples of 16), or `nil` for strips.
    public var tileSize: (width: Int, height: Int)?
    /// Rows per strip; `nil` = libtiff's default.
    public var rowsPerStrip: Int?
    public var jpegQuality: Int
    /// 3 × 2^bits entries (all reds, then greens, then blues) for `.palette`.
    public var colormap: [UInt16]
    /// Written as X/YResolution in pixels per `resolutionUnit`.
    public var pixelSize: PixelSize?
    public var resolutionUnit: ResolutionUnit = .centimeter
    /// ImageDescription (e.g. an Aperio header with `MPP = …`).
    public var description: String?

    public init(compression: Compression = .deflate, photometric: Photometric = .rgb, bitsPerSample: Int = 8,
                alpha: Alpha = .none, planarSeparate: Bool = false, tileSize: (width: Int, height: Int)? = nil,
                rowsPerStrip: Int? = nil, jpegQuality: Int = 90, colormap: [UInt16] = [],
                pixelSize: PixelSize? = nil, description: String? = nil) {
        self.compression = compression
        self.photometric = photometric
        self.bitsPerSample = bitsPerSample
        self.alpha = alpha
        self.planarSeparate = planarSeparate
        self.tileSize = tileSize
        self.rowsPerStrip = rowsPerStrip
        self.jpegQuality = jpegQuality
        self.colormap = colormap
        self.pixelSize = pixelSize
        self.description = description
    }

    /// Colour samples per pixel (before alpha).
    public var colorSamples: Int { photometric == .rgb || photometric == .ycbcr ? 3 : 1 }
    /// All samples per pixel.
    public var samplesPerPixel: Int { colorSamples + (alpha == .none ? 0 : 1) }
}

/// One TIFF page: interleaved samples in the layout `encoding` describes.
public struct TIFFPage: Sendable {
    public enum Samples: Sendable {
        /// 8-bit samples, or packed rows for 1/2/4-bit.
        case uint8([UInt8])
        case uint16([UInt16])
    }
    public var width: Int
    public var height: Int
    public var samples: Samples
    public var encoding: TIFFEncoding

    public init(width: Int, height: Int, samples: Samples, encoding: TIFFEncoding) {
        self.width = width
        self.height = height
        self.samples = samples
        self.encoding = encoding
    }

    /// An RGB image as one 8-bit page.
    public init(_ image: RGBImage, encoding: TIFFEncoding = TIFFEncoding()) {
        var encoding = encoding
        if encoding.pixelSize == nil { encoding.pixelSize = image.pixelSize }
        self.init(width: image.width, height: image.height, samples: .uint8(image.pixels), encoding: encoding)
    }
}

/// Writes PNG, JPEG and TIFF files, always atomically (temporary file + rename).
public enum ImageWriter {
    // MARK: PNG

    /// Writes an RGB image as an 8-bit PNG (pHYs from its pixel size).
    public static func writePNG(_ image: RGBImage, to path: String,
                                encoding: PNGEncoding = PNGEncoding()) throws {
        var encoding = encoding
        encoding.colorType = .rgb
        encoding.bitDepth = 8
        if encoding.pixelSize == nil { encoding.pixelSize = image.pixelSize }
        try writePNG(packedRows: image.pixels, width: image.width, height: image.height, encoding: encoding, to: path)
    }

    /// Writes 8-bit RGBA samples (overlays with transparency).
    public static func writePNG(rgba: [UInt8], width: Int, height: Int, pixelSize: PixelSize? = nil,
                                to path: String) throws {
        let encoding = PNGEncoding(colorType: .rgba, bitDepth: 8, pixelSize: pixelSize)
        try writePNG(packedRows: rgba, width: width, height: height, encoding: encoding, to: path)
    }

    /// Writes rows already in PNG's packed layout (big-endian 16-bit; sub-byte samples packed
    /// most significant bits first), `encoding.rowBytes(width:)` bytes a row.
    public static func writePNG(packedRows: [UInt8], width: Int, height: Int, encoding: PNGEncoding,
                                to path: String) throws {
        let rowBytes = encoding.rowBytes(width: width)
        guard width > 0, height > 0, packedRows.count >= rowBytes * height else {
            throw ImageIOError(.invalidRequest, path: path, format: .png,
                               message: "PNG needs \(rowBytes * height) bytes of rows for \(width)×\(height), got \(packedRows.count)")
        }
        let ppm = encoding.pixelSize.map { (UInt32((1_000_000 / $0.x).rounded()), UInt32((1_000_000 / $0.y).rounded())) }
        try AtomicFile.write(to: path) { (temporary: String) throws in
            try encoding.palette.withUnsafeBufferPointer { palette throws in
                try encoding.paletteAlpha.withUnsafeBufferPointer { alpha throws in
                    let spec = iio_png_spec(
                        width: UInt32(width), height: UInt32(height), bit_depth: Int32(encoding.bitDepth),
                        color_type: encoding.colorType.rawValue, interlaced: encoding.interlaced ? 1 : 0,
                        compression_level: Int32(encoding.compressionLevel ?? -1),
                        fast_filters: encoding.fastFilters ? 1 : 0, palette: palette.baseAddress,
                        palette_entries: Int32(encoding.palette.count / 3), palette_alpha: alpha.baseAddress,
                        palette_alpha_entries: Int32(encoding.paletteAlpha.count),
                        pixels_per_meter_x: ppm?.0 ?? 0, pixels_per_meter_y: ppm?.1 ?? 0,
                        filters: encoding.filters.rawValue, idat_size: UInt32(clamping: encoding.idatChunkSize ?? 0))
                    try packedRows.withUnsafeBytes { (rows) throws in
                        try CImageIOCalls.pngWrite(path: temporary, spec: spec, rows: rows, rowBytes: rowBytes)
                    }
                }
            }
        }
    }

    // MARK: JPEG

    /// Writes an RGB image as a JPEG.
    public static func writeJPEG(_ image: RGBImage, to path: String,
                                 encoding: JPEGEncoding = JPEGEncoding()) throws {
        var encoding = encoding
        if encoding.pixelSize == nil { encoding.pixelSize = image.pixelSize }
        try writeJPEG(samples: image.pixels, width: image.width, height: image.height, channels: 3,
                      encoding: encoding, to: path)
    }

    /// Writes 1-channel (grey), 3-channel (RGB) or 4-channel (CMYK) 8-bit samples as a JPEG.
    public static func writeJPEG(samples: [UInt8], width: Int, height: Int, channels: Int,
                                 encoding: JPEGEncoding, to path: String) throws {
        guard channels == 1 || channels == 3 || channels == 4, width > 0, height > 0, samples.count >= width * height * channels else {
            throw ImageIOError(.invalidRequest, path: path, format: .jpeg,
                               message: "JPEG needs \(width)×\(height)×\(channels) samples")
        }
        var unit: Int32 = 0, xd: UInt16 = 0, yd: UInt16 = 0
        if let size = encoding.pixelSize {
            let x = (10_000 / size.x).rounded(), y = (10_000 / size.y).rounded()
            if x >= 1, y >= 1, x <= 65_535, y <= 65_535 {
                unit = 2
                xd = UInt16(x)
                yd = UInt16(y)
            }
        }
        let spec = iio_jpeg_spec(
            width: UInt32(width), height: UInt32(height), channels: Int32(channels),
            quality: Int32(encoding.quality), subsampling: encoding.subsampling.rawValue,
            progressive: encoding.progressive ? 1 : 0, density_unit: unit, x_density: xd, y_density: yd)
        try AtomicFile.write(to: path) { (temporary: String) throws in
            try samples.withUnsafeBufferPointer { (buffer) throws in
                try CImageIOCalls.jpegWrite(path: temporary, spec: spec, pixels: buffer, stride: width * channels)
            }
        }
    }

    // MARK: TIFF

    /// Writes an RGB image as a one-page TIFF.
    public static func writeTIFF(_ image: RGBImage, to path: String, encoding: TIFFEncoding = TIFFEncoding(),
                                 bigTIFF: Bool = false) throws {
        try writeTIFF(pages: [TIFFPage(image, encoding: encoding)], to: path, bigTIFF: bigTIFF)
    }

    /// Writes pages in order (page 0 first), as classic TIFF or BigTIFF.
    public static func writeTIFF(pages: [TIFFPage], to path: String, bigTIFF: Bool = false) throws {
        try AtomicFile.write(to: path) { (temporary: String) throws in
            let writer = try CImageIOCalls.tiffWriterOpen(path: temporary, bigTIFF: bigTIFF)
            do {
                for page in pages { try addPage(page, writer: writer, path: temporary) }
            } catch {
                try? CImageIOCalls.tiffWriterClose(writer, path: temporary)
                throw error
            }
            try CImageIOCalls.tiffWriterClose(writer, path: temporary)
        }
    }

    private static func addPage(_ page: TIFFPage, writer: OpaquePointer, path: String) throws {
        let e = page.encoding
        let spp = e.samplesPerPixel
        let stride: Int
        switch page.samples {
        case .uint8: stride = (page.width * spp * e.bitsPerSample + 7) / 8
        case .uint16: stride = page.width * spp * 2
        }
        let count: Int = switch page.samples {
        case .uint8(let s): s.count
        case .uint16(let s): s.count * 2
        }
        guard page.width > 0, page.height > 0, count >= stride * page.height else {
            throw ImageIOError(.invalidRequest, path: path, format: .tiff,
                               message: "TIFF page \(page.width)×\(page.height) needs \(stride * page.height) bytes, got \(count)")
        }
        let perUnit = e.resolutionUnit == .inch ? 25_400.0 : 10_000.0
        let unitCode = Int32(e.resolutionUnit == .inch ? IIO_RES_INCH.rawValue : IIO_RES_CENTIMETER.rawValue)
        let (unit, xr, yr): (Int32, Double, Double) = e.pixelSize.map {
            (unitCode, perUnit / $0.x, perUnit / $0.y)
        } ?? (0, 0, 0)
        let description = e.description ?? ""
        try e.colormap.withUnsafeBufferPointer { cmap throws in
            try description.withCString { desc throws in
                let spec = iio_tiff_page_spec(
                    width: UInt32(page.width), height: UInt32(page.height), bits_per_sample: Int32(e.bitsPerSample),
                    samples_per_pixel: Int32(spp), extra_samples: e.alpha == .none ? 0 : 1,
                    extra_is_associated: e.alpha == .associated ? 1 : 0, photometric: e.photometric.rawValue,
                    planar_separate: e.planarSeparate ? 1 : 0, compression: e.compression.rawValue,
                    jpeg_quality: Int32(e.jpegQuality), tile_width: UInt32(e.tileSize?.width ?? 0),
                    tile_height: UInt32(e.tileSize?.height ?? 0), rows_per_strip: UInt32(e.rowsPerStrip ?? 0),
                    colormap: e.colormap.isEmpty ? nil : cmap.baseAddress, resolution_unit: unit,
                    x_resolution: xr, y_resolution: yr, description: e.description == nil ? nil : desc)
                switch page.samples {
                case .uint8(let s):
                    try s.withUnsafeBytes { (raw) throws in
                        try CImageIOCalls.tiffWriterAddPage(writer, spec: spec, pixels: raw, stride: stride, path: path)
                    }
                case .uint16(let s):
                    try s.withUnsafeBytes { (raw) throws in
                        try CImageIOCalls.tiffWriterAddPage(writer, spec: spec, pixels: raw, stride: stride, path: path)
                    }
                }
            }
        }
    }
}
