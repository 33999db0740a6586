import CImageIO

/// The container formats ihc-score reads and writes.
public enum ImageFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case png
    case jpeg
    case tiff

    /// Identifies a format from a file's first bytes; `nil` when it is none of ours.
    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        let head = Array(bytes.prefix(16))
        let found = head.withUnsafeBufferPointer { iio_sniff($0.baseAddress, $0.count) }
        return ImageFormat(cFormat: found)
    }

    init?(cFormat: iio_format) {
        switch cFormat {
        case IIO_FORMAT_PNG: self = .png
        case IIO_FORMAT_JPEG: self = .jpeg
        case IIO_FORMAT_TIFF: self = .tiff
        default: return nil
        }
    }

    /// The file-name extensions that announce this format.
    public var extensions: [String] {
        switch self {
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .tiff: ["tif", "tiff", "svs"]
        }
    }

    /// The format a file name's extension announces, if any.
    public static func fromExtension(of path: String) -> ImageFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        return allCases.first { $0.extensions.contains(ext) }
    }

    /// Human name used in messages.
    public var displayName: String { rawValue.uppercased() }
}
