#if canImport(Glibc)
import Glibc
#endif

/// Measures decode throughput of every supported encoding on the same picture.
public enum DecodeBenchmark {
    /// One way of storing the benchmark image.
    public struct Variant: Sendable, Hashable {
        public var name: String
        public var write: @Sendable (RGBImage, String) throws -> Void
        /// How the file is decoded when not by `ImageReader.read` (the reference decoders).
        public var decode: (@Sendable (String, Int, Int) throws -> Void)? = nil
        public static func == (a: Variant, b: Variant) -> Bool { a.name == b.name }
        public func hash(into h: inout Hasher) { h.combine(name) }
    }

    /// What was measured for one variant.
    public struct Result: Sendable, Codable {
        public var variant: String
        public var fileBytes: Int
        public var megapixels: Double
        public var repeats: Int
        /// Median wall seconds of one decode.
        public var medianWallSeconds: Double
        /// Median megapixels per wall second.
        public var megapixelsPerSecond: Double
        /// CPU seconds (user + system) over all timed decodes.
        public var cpuSeconds: Double
        /// Wall seconds over all timed decodes.
        public var wallSeconds: Double
        /// Process peak RSS after this variant, bytes.
        public var peakResidentBytes: Int
    }

    /// The standard variants: PNG (default — through the fast path and through libpng alone —
    /// and fast), JPEG q90 (4:2:0 and 4:4:4, baseline and
    /// progressive) and TIFF (uncompressed, deflate, LZW, JPEG-in-TIFF, zstd, webp, tiled).
    public static let standardVariants: [Variant] = {
        var v: [Variant] = [
            Variant(name: "png") { try ImageWriter.writePNG($0, to: $1) },
            // The same file through libpng's simplified API alone, never the fast path: the
            // reference decoder (ENGINEERING.md's ~48 MP/s), against which a machine's speed
            // and the pipeline's figures can be put in proportion.
            Variant(name: "png-libpng", write: { try ImageWriter.writePNG($0, to: $1) }, decode: { path, width, height in
                let data = try FileBytes.contents(of: path)
                var rgb = [UInt8](repeating: 0, count: width * height * 3)
                try rgb.withUnsafeMutableBufferPointer {
                    try CImageIOCalls.pngDecodeLibpng(data, into: $0, stride: width * 3, path: path)
                }
            }),
            Variant(name: "png-fast") {
                try ImageWriter.writePNG($0, to: $1, encoding: PNGEncoding(compressionLevel: 3, fastFilters: true))
            },
            Variant(name: "jpeg-q90-420") {
                try ImageWriter.writeJPEG($0, to: $1, encoding: JPEGEncoding(quality: 90, subsampling: .s420))
            },
            Variant(name: "jpeg-q90-444") { try ImageWriter.writeJPEG($0, to: $1, encoding: JPEGEncoding(quality: 90)) },
            Variant(name: "jpeg-q90-progressive") {
                try ImageWriter.writeJPEG($0, to: $1, encoding: JPEGEncoding(quality: 90, subsampling: .s420, progressive: true))
            },
        ]
        let tiffs: [(String, TIFFEncoding)] = [
            ("tiff-none", TIFFEncoding(compression: .none)),
            ("tiff-deflate", TIFFEncoding(compression: .deflate)),
            ("tiff-lzw", TIFFEncoding(compression: .lzw)),
            ("tiff-jpeg-ycbcr", TIFFEncoding(compression: .jpeg, photometric: .ycbcr, rowsPerStrip: 16)),
            ("tiff-zstd", TIFFEncoding(compression: .zstd)),
            ("tiff-webp", TIFFEncoding(compression: .webp)),
            ("tiff-deflate-tiled256", TIFFEncoding(compression: .deflate, tileSize: (256, 256))),
            ("tiff-jpeg-tiled256", TIFFEncoding(compression: .jpeg, photometric: .ycbcr, tileSize: (256, 256))),
        ]
        for (name, encoding) in tiffs where encoding.compression.isAvailable {
            v.append(Variant(name: name) { try ImageWriter.writeTIFF($0, to: $1, encoding: encoding) })
        }
        return v
    }()

    /// Writes `image` in each variant under `directory`, decodes it once to warm up and
    /// `repeats` times timed, and reports the median.
    public static func run(image: RGBImage, variants: [Variant], directory: String, repeats: Int,
                           reader: ImageReader = ImageReader()) throws -> [Result] {
        var results: [Result] = []
        for variant in variants {
            let ext = variant.name.hasPrefix("png") ? "png" : (variant.name.hasPrefix("jpeg") ? "jpg" : "tif")
            let path = "\(directory)/bench-\(variant.name).\(ext)"
            try variant.write(image, path)
            defer { unlink(path) }
            let decoded = try reader.read(path)  // warm-up (page cache, allocator)
            precondition(decoded.width == image.width && decoded.height == image.height)
            let decode: (String) throws -> Void = variant.decode.map { d in { try d($0, image.width, image.height) } }
                ?? { _ = try reader.read($0) }
            try decode(path)
            let bytes = try ImageReader().info(of: path).fileSize
            var times: [Double] = []
            let cpu0 = ProcessMetrics.now().cpuSeconds
            let wall0 = ProcessMetrics.monotonicSeconds()
            for _ in 0..<max(1, repeats) {
                let t0 = ProcessMetrics.monotonicSeconds()
                try decode(path)
                times.append(ProcessMetrics.monotonicSeconds() - t0)
            }
            let wall = ProcessMetrics.monotonicSeconds() - wall0
            let after = ProcessMetrics.now()
            times.sort()
            let median = times[times.count / 2]
            let mp = Double(image.pixelCount) / 1e6
            results.append(Result(variant: variant.name, fileBytes: bytes, megapixels: mp, repeats: times.count,
                                  medianWallSeconds: median, megapixelsPerSecond: mp / median,
                                  cpuSeconds: after.cpuSeconds - cpu0, wallSeconds: wall,
                                  peakResidentBytes: after.peakResidentBytes))
        }
        return results
    }
}
