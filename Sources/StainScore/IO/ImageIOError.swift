/// A failure to read or write an image, naming the file and the problem in one line.
///
/// `kind` is stable for scripts and tests; `message` carries the C library's own words
/// where the library produced them (e.g. "libpng: IDAT: CRC error").
public struct ImageIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The file cannot be opened or read (missing, permissions, a directory…).
        case cannotRead = "cannot-read"
        /// The file has no bytes.
        case empty
        /// The first bytes are not a PNG, JPEG or TIFF signature.
        case unrecognisedFormat = "unrecognised-format"
        /// The decoder rejected the data (truncated, corrupt, bad checksum…).
        case corrupt
        /// A valid file of a kind this reader does not handle (CMYK JPEG, float TIFF…).
        case unsupported
        /// The image exceeds the reader's pixel budget; refused before allocating.
        case tooLarge = "too-large"
        /// A page or region that is not in the file.
        case invalidRequest = "invalid-request"
        /// Memory ran out.
        case outOfMemory = "out-of-memory"
        /// Writing the output failed.
        case cannotWrite = "cannot-write"
    }

    public var kind: Kind
    /// The file concerned.
    public var path: String
    /// What the file was found to be, when that was known.
    public var format: ImageFormat?
    /// One line, no trailing newline.
    public var message: String

    public init(_ kind: Kind, path: String, format: ImageFormat? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.format = format
        self.message = message
    }

    /// `path: message` — the line printed for people.
    public var description: String { "\(path): \(message)" }
}
