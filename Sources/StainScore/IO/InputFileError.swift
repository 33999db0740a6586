/// An input file that cannot be used — a configuration file, a manifest, a truth or results
/// table, a region-of-interest file — naming the file and, where it applies, the 1-based line
/// (of a CSV row: its first physical line when a quoted field spans several).
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// 1-based line; nil when the problem concerns the whole file (or a JSON file).
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

/// A batch input (manifest row, region-of-interest file, folder without images).
public typealias InputError = InputFileError
/// A validation input (truth labels, truth cells, predictions).
public typealias ValidationInputError = InputFileError
/// A configuration file problem.
public typealias ConfigurationError = InputFileError
