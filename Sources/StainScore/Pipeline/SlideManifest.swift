import Foundation

/// Slides listed in a CSV manifest, for data laid out in some other way than a folder per slide.
///
/// Columns (header required, any order, case-insensitive): `slide` and `path` (also `tile` or
/// `file`), one row per tile; optional `mpp` (the tile's pixel size in µm/px, used like `--mpp`)
/// and `roi` (a region-of-interest file for the tile; when empty, one is looked for beside the
/// tile by name). Relative paths are relative to the manifest's folder. Slides keep the order of
/// their first row; tiles are sorted by path within a slide and named by their file name (or by
/// their path relative to the slide's common folder when two file names coincide).
public enum SlideManifest {
    /// Reads the manifest at `path`. Errors name the file and line.
    public static func read(_ path: String) throws -> [SlideInput] {
        let table = try CSVTable(contentsOf: path)
        func required(_ names: String...) throws -> Int {
            let wanted = Set(names)
            guard let index = table.header.firstIndex(where: { wanted.contains($0.lowercased()) }) else {
                throw InputError(path: path, line: 1, message: "no column named \(names.map { "'\($0)'" }.joined(separator: " or ")) in the header (\(table.header.joined(separator: ",")))")
            }
            return index
        }
        let slideColumn = try required("slide")
        let pathColumn = try required("path", "tile", "file")
        let mppColumn = table.column("mpp")
        let roiColumn = table.column("roi")
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base == "." || base.isEmpty ? p : base + "/" + p) }

        var order: [String] = []
        var rows: [String: [(path: String, mpp: Double?, roi: String?, line: Int)]] = [:]
        for row in table.rows {
            let slide = row.fields[slideColumn].trimmingCharacters(in: .whitespaces)
            let file = row.fields[pathColumn].trimmingCharacters(in: .whitespaces)
            if slide.isEmpty && file.isEmpty { continue }
            if let problem = SlideDiscovery.nameProblem(slide) {
                throw InputError(path: path, line: row.line, message: "slide name '\(slide)' \(problem)")
            }
            guard !file.isEmpty else { throw InputError(path: path, line: row.line, message: "empty path") }
            var mpp: Double?
            if let mppColumn, case let text = row.fields[mppColumn].trimmingCharacters(in: .whitespaces), !text.isEmpty {
                guard let value = Double(text), value > 0, value < 100 else {
                    throw InputError(path: path, line: row.line, message: "mpp '\(text)' is not a pixel size in µm/px")
                }
                mpp = value
            }
            let roi = roiColumn.map { row.fields[$0].trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : resolve($0) }
            if rows[slide] == nil { order.append(slide) }
            let resolved = resolve(file)
            if let earlier = rows[slide]?.first(where: { $0.path == resolved }) {
                throw InputError(path: path, line: row.line, message: "tile '\(file)' listed twice for slide '\(slide)' (first on line \(earlier.line))")
            }
            rows[slide, default: []].append((resolved, mpp, roi, row.line))
        }
        return order.map { slide in
            let entries = rows[slide]!.sorted { $0.path < $1.path }
            let names = tileNames(entries.map(\.path))
            let tiles = zip(entries, names).map { entry, name in
                var tile = TileInput(path: entry.path, name: name,
                                     pixelSize: entry.mpp.map { PixelSize(micronsPerPixel: $0, source: .user) },
                                     regionOfInterest: entry.roi)
                if entry.roi == nil { SlideDiscovery.resolveRegionOfInterest(&tile, siblings: nil) }
                return tile
            }
            return SlideInput(name: slide, tiles: tiles)
        }
    }

    /// File names, unless two coincide: then paths relative to the files' common folder.
    static func tileNames(_ paths: [String]) -> [String] {
        let names = paths.map { URL(fileURLWithPath: $0).lastPathComponent }
        guard Set(names).count < names.count else { return names }
        let split = paths.map { $0.split(separator: "/", omittingEmptySubsequences: false).map(String.init) }
        var common = 0
        let shortest = split.map(\.count).min() ?? 0
        while common < shortest - 1, split.allSatisfy({ $0[common] == split[0][common] }) { common += 1 }
        return split.map { $0[common...].joined(separator: "/") }
    }
}
