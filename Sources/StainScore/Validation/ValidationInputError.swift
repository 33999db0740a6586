/// A validation input (truth labels, truth cells, predictions) that cannot be used, naming the
/// file and, where it applies, the 1-based line.
public struct ValidationInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// 1-based line of the offending row (of its first physical line for quoted multi-line
    /// fields); nil when the problem concerns the whole file.
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
