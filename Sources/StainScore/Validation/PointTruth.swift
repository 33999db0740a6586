/// One truth point: a nucleus an annotator marked with a single click, and what they called it.
///
/// Point truth (BCData, SHIDC-B-Ki-67, DeepLIIF…) marks nuclei by their centre only, with no
/// outline, score or membrane class, so it measures detection (was a cell found there? was it
/// called tumour?) rather than scoring.
public struct TruthPoint: Sendable, Hashable, Codable {
    /// The image file named in the truth (a file name such as `0.png`; any folder is kept).
    public var image: String
    /// Position in image pixels: x the column, y the row, from the top-left corner.
    public var x: Double
    public var y: Double
    /// The annotator's label as written (`negative`, `positive`, `til`…): free text.
    public var label: String

    public init(image: String, x: Double, y: Double, label: String) {
        self.image = image
        self.x = x
        self.y = y
        self.label = label
    }

    /// The key that pairs an image with a scored tile: the file name without folder and without
    /// its last extension (`a/b/0.png` → `0`), as Python's `os.path.splitext(basename)` makes it
    /// (a leading dot does not start an extension).
    public static func stem(_ name: String) -> String {
        var base = Substring(name)
        if let slash = base.lastIndex(of: "/") { base = base[base.index(after: slash)...] }
        let body = base.drop(while: { $0 == "." })
        if let dot = body.lastIndex(of: ".") { return String(base[..<dot]) }
        return String(base)
    }
}

/// Reads point truth, `image,x,y,label` (extra columns ignored; `file` is accepted for `image`).
///
/// Every field is required: a missing column, an empty field or a non-numeric or non-finite
/// coordinate is an error naming the file and line.
public enum PointTruthReader {
    public static func read(_ path: String) throws -> [TruthPoint] {
        try parse(CSVTable(contentsOf: path))
    }

    public static func parse(_ table: CSVTable) throws -> [TruthPoint] {
        let image = try table.requiredColumn("image", "file"), label = try table.requiredColumn("label")
        let x = try table.requiredColumn("x"), y = try table.requiredColumn("y")
        return try table.rows.map { row in
            TruthPoint(image: try table.name(row, image), x: try table.double(row, x), y: try table.double(row, y),
                       label: try table.name(row, label))
        }
    }
}
