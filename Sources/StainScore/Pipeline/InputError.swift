/// A batch input that cannot be used — a manifest row, a region-of-interest file, a folder with
/// no images — naming the file and, where it applies, the 1-based line.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message` (or `FILE: message`).
    public var description: String {
        line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
    }
}
