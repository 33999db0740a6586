import CImageIO

/// Reads PNG, JPEG and TIFF/BigTIFF files into `RGBImage`s, and their headers into `ImageInfo`.
///
/// The format is identified from the file's signature, never from its name. Every image is
/// checked against `pixelBudget` from its header *before* any pixel buffer is allocated, so a
/// hostile header (100000 × 100000) costs nothing. All failures are `ImageIOError`s.
public struct ImageReader: Sendable {
    /// Default pixel budget: 300 megapixels (≈ 900 MB of RGB), larger than any tile or
    /// TMA core; whole-slide pyramids should be read by region.
    public static let defaultPixelBudget = 300_000_000

    /// The largest image (width × height, or region area) this reader will decode.
    public var pixelBudget: Int

    public init(pixelBudget: Int = ImageReader.defaultPixelBudget) {
        self.pixelBudget = pixelBudget
    }

    // MARK: Header

    /// The header facts of `page` (TIFF; 0 for other formats).
    public func info(of path: String, page: Int = 0) throws -> ImageInfo {
        let (format, fileSize) = try identify(path)
        switch format {
        case .png, .jpeg:
            try requirePageZero(page, path: path, format: format)
            let data = try FileBytes.contents(of: path)
            let raw = format == .png ? try CImageIOCalls.pngInfo(data, path: path)
                                     : try CImageIOCalls.jpegInfo(data, path: path)
            return makeInfo(raw, path: path, format: format, fileSize: fileSize, page: 0)
        case .tiff:
            let handle = try CImageIOCalls.tiffOpen(path: path)
            defer { CImageIOCalls.tiffClose(handle) }
            let raw = try CImageIOCalls.tiffInfo(handle, page: page, path: path)
            return makeInfo(raw, path: path, format: .tiff, fileSize: fileSize, page: page)
        }
    }

    // MARK: Pixels

    /// Decodes the whole of `page` to RGB8. The pixel size comes from the file when it
    /// carries a plausible one, else it is `nil`.
    public func read(_ path: String, page: Int = 0) throws -> RGBImage {
        let (format, fileSize) = try identify(path)
        switch format {
        case .png, .jpeg:
            try requirePageZero(page, path: path, format: format)
            let data = try FileBytes.contents(of: path)
            let raw = format == .png ? try CImageIOCalls.pngInfo(data, path: path)
                                     : try CImageIOCalls.jpegInfo(data, path: path)
            let info = makeInfo(raw, path: path, format: format, fileSize: fileSize, page: 0)
            try checkBudget(width: info.width, height: info.height, path: path, format: format)
            let pixels = try decodeBuffer(width: info.width, height: info.height) { (buffer) throws in
                if format == .png {
                    try CImageIOCalls.pngDecode(data, into: buffer, stride: info.width * 3, path: path)
                } else {
                    try CImageIOCalls.jpegDecode(data, into: buffer, stride: info.width * 3, path: path)
                }
            }
            return RGBImage(width: info.width, height: info.height, pixels: pixels, pixelSize: info.pixelSize)
        case .tiff:
            let handle = try CImageIOCalls.tiffOpen(path: path)
            defer { CImageIOCalls.tiffClose(handle) }
            let raw = try CImageIOCalls.tiffInfo(handle, page: page, path: path)
            let info = makeInfo(raw, path: path, format: .tiff, fileSize: fileSize, page: page)
            let rect = PixelRect(x: 0, y: 0, width: info.width, height: info.height)
            return try readTIFF(handle, info: info, page: page, rect: rect, path: path)
        }
    }

    /// Decodes the rectangle `region` of `page`. For TIFF only the strips or tiles that
    /// intersect it are decoded (whole-slide friendly); PNG and JPEG are decoded in full and
    /// cropped, as their streams cannot be entered in the middle.
    public func read(_ path: String, page: Int = 0, region: PixelRect) throws -> RGBImage {
        let (format, fileSize) = try identify(path)
        switch format {
        case .png, .jpeg:
            let image = try read(path, page: page)
            try checkRegion(region, width: image.width, height: image.height, path: path, format: format)
            return image.cropped(to: region)
        case .tiff:
            let handle = try CImageIOCalls.tiffOpen(path: path)
            defer { CImageIOCalls.tiffClose(handle) }
            let raw = try CImageIOCalls.tiffInfo(handle, page: page, path: path)
            let info = makeInfo(raw, path: path, format: .tiff, fileSize: fileSize, page: page)
            try checkRegion(region, width: info.width, height: info.height, path: path, format: .tiff)
            return try readTIFF(handle, info: info, page: page, rect: region, path: path)
        }
    }

    /// Decodes a single-channel grey PNG losslessly, one `UInt16` per pixel: the stored
    /// values, not rescaled. For label images — an instance mask numbers each nucleus 1…n
    /// (0 background) in a 16-bit grey PNG, which `read` would round to 8 bits and spread over
    /// RGB. Colour, palette and grey+alpha PNGs, JPEG and TIFF are `.unsupported`.
    public func readGrey16(_ path: String) throws -> Plane<UInt16> {
        let (format, fileSize) = try identify(path)
        guard format == .png else {
            throw ImageIOError(.unsupported, path: path, format: format,
                               message: "a \(format.displayName) file; label images are read from single-channel grey PNG only")
        }
        let data = try FileBytes.contents(of: path)
        let info = makeInfo(try CImageIOCalls.pngInfo(data, path: path), path: path, format: .png, fileSize: fileSize, page: 0)
        try checkBudget(width: info.width, height: info.height, path: path, format: .png)
        var failure: (any Error)?
        let count = info.width * info.height
        let values = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
            do {
                try CImageIOCalls.pngDecodeGrey16(data, into: buffer, stride: info.width, path: path)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return Plane(width: info.width, height: info.height, values: values)
    }

    // MARK: Internals

    private func readTIFF(_ handle: OpaquePointer, info: ImageInfo, page: Int, rect: PixelRect,
                          path: String) throws -> RGBImage {
        try checkBudget(width: rect.width, height: rect.height, path: path, format: .tiff)
        let pixels = try decodeBuffer(width: rect.width, height: rect.height) { (buffer) throws in
            try CImageIOCalls.tiffReadRegion(handle, page: page, rect: rect, into: buffer,
                                             stride: rect.width * 3, path: path)
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: pixels, pixelSize: info.pixelSize)
    }

    /// Allocates the output once and lets the decoder write straight into it.
    private func decodeBuffer(width: Int, height: Int,
                              _ decode: (UnsafeMutableBufferPointer<UInt8>) throws -> Void)
        throws -> [UInt8]
    {
        var failure: (any Error)?
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            do {
                try decode(buffer)
                count = width * height * 3
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return pixels
    }

    private func identify(_ path: String) throws -> (ImageFormat, Int) {
        let (head, size) = try FileBytes.head(of: path, count: 16)
        guard size > 0 else { throw ImageIOError(.empty, path: path, message: "empty file (0 bytes)") }
        guard let format = ImageFormat.sniff(head) else {
            let hex = head.prefix(8).map { String($0, radix: 16, uppercase: true) }
                .map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: " ")
            throw ImageIOError(.unrecognisedFormat, path: path,
                               message: "not a PNG, JPEG or TIFF file (first bytes: \(hex))")
        }
        return (format, size)
    }

    private func requirePageZero(_ page: Int, path: String, format: ImageFormat) throws {
        guard page == 0 else {
            throw ImageIOError(.invalidRequest, path: path, format: format,
                               message: "page \(page) does not exist (a \(format.displayName) file has 1 page)")
        }
    }

    private func checkBudget(width: Int, height: Int, path: String, format: ImageFormat) throws {
        guard width > 0, height > 0 else {
            throw ImageIOError(.corrupt, path: path, format: format, message: "image has no pixels (\(width)×\(height))")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= pixelBudget else {
            throw ImageIOError(.tooLarge, path: path, format: format,
                               message: "\(width)×\(height) pixels exceeds the pixel budget of \(pixelBudget) (read a region, or raise the budget)")
        }
    }

    private func checkRegion(_ r: PixelRect, width: Int, height: Int, path: String,
                             format: ImageFormat) throws {
        guard r.x >= 0, r.y >= 0, r.width > 0, r.height > 0, r.x <= width - r.width, r.y <= height - r.height else {
            throw ImageIOError(.invalidRequest, path: path, format: format,
                               message: "region \(r.width)×\(r.height) at (\(r.x), \(r.y)) is not inside the \(width)×\(height) image")
        }
    }

    private func makeInfo(_ raw: iio_info, path: String, format: ImageFormat, fileSize: Int, page: Int) -> ImageInfo {
        var warnings: [String] = []
        if let named = ImageFormat.fromExtension(of: path), named != format {
            warnings.append("the file name says \(named.displayName) but the content is \(format.displayName)")
        }
        let description = Self.string(raw.description)
        let pixelSize = Self.pixelSize(raw, description: description, warnings: &warnings)
        let layout: ImageInfo.Layout = raw.tiled != 0
            ? .tiles(width: Int(raw.tile_width), height: Int(raw.tile_height))
            : (format == .tiff ? .strips(rowsPerStrip: Int(raw.rows_per_strip)) : .whole)
        return ImageInfo(
            path: path, format: format, fileSize: fileSize,
            width: Int(raw.width), height: Int(raw.height), pages: Int(raw.pages), page: page,
            bitsPerSample: Int(raw.bits_per_sample), samplesPerPixel: Int(raw.samples_per_pixel),
            hasAlpha: raw.has_alpha != 0, colorModel: Self.string(raw.color_model),
            compression: Self.string(raw.compression), interlaced: raw.interlaced != 0, layout: layout,
            planarSeparate: raw.planar_separate != 0, bigTIFF: raw.bigtiff != 0,
            usesFallbackReader: raw.uses_fallback_reader != 0, pixelSize: pixelSize, warnings: warnings)
    }

    /// Pixel size from the file's own metadata, in order of trust: Aperio MPP, then the
    /// format's resolution fields. Implausible values (72 dpi placeholders) are reported and
    /// ignored: unknown stays unknown.
    static func pixelSize(_ raw: iio_info, description: String, warnings: inout [String]) -> PixelSize? {
        if let mpp = PixelSize.aperioMPP(inDescription: description) {
            let size = PixelSize(micronsPerPixel: mpp, source: .aperioMPP)
            if size.isPlausibleForMicroscopy { return size }
            warnings.append("Aperio MPP = \(mpp) µm/px is implausible for microscopy; ignored")
        }
        guard raw.x_resolution > 0, raw.y_resolution > 0 else { return nil }
        let micronsPerUnit: Double
        switch raw.resolution_unit {
        case Int32(IIO_RES_INCH.rawValue): micronsPerUnit = 25_400
        case Int32(IIO_RES_CENTIMETER.rawValue): micronsPerUnit = 10_000
        case Int32(IIO_RES_METER.rawValue): micronsPerUnit = 1_000_000
        default: return nil
        }
        let source: PixelSize.Source = switch ImageFormat(cFormat: iio_format(UInt32(raw.format))) {
        case .png: .pngPHYs
        case .jpeg: .jfifDensity
        default: .tiffResolution
        }
        let size = PixelSize(x: micronsPerUnit / raw.x_resolution, y: micronsPerUnit / raw.y_resolution,
                             source: source)
        guard size.isPlausibleForMicroscopy else {
            let shown = (size.micronsPerPixel * 1000).rounded() / 1000
            warnings.append("resolution metadata gives \(shown) µm/px, not a microscope pixel size; pixel size treated as unknown")
            return nil
        }
        return size
    }

    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
