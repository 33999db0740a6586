import Foundation

/// Finds image files under the paths a user gives, in a stable order (`info`, `bench`).
public enum InputDiscovery {
    /// File-name extensions treated as images when walking folders.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff"]

    /// Expands each path: a file is kept as it is (whatever its extension, so a misnamed file
    /// still gets a clear error); a folder contributes its image files, masks included,
    /// recursively, sorted by name at each level — the walk `score` uses to find tiles. Hidden
    /// files and folders (leading dot) are skipped. A path that does not exist is kept, so that
    /// reading it reports the problem.
    public static func imageFiles(in paths: [String]) -> [String] {
        let walker = SlideDiscovery.Walker(excluded: [], includeMasks: true)
        return paths.flatMap { path in walker.isDirectory(path) ? walker.images(under: path).map(\.path) : [path] }
    }
}
