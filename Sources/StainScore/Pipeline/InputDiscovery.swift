#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finds image files under the paths a user gives, in a stable order.
public enum InputDiscovery {
    /// File-name extensions treated as images when walking folders.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff"]

    /// Expands each path: a file is kept as it is (whatever its extension, so a misnamed file
    /// still gets a clear error); a folder contributes its image files, recursively, sorted by
    /// path. Hidden files and folders (leading dot) are skipped. A path that does not exist is
    /// kept, so that reading it reports the problem.
    public static func imageFiles(in paths: [String]) -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                result.append(contentsOf: walk(path))
            } else {
                result.append(path)
            }
        }
        return result
    }

    private static func walk(_ directory: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var files: [String] = []
        for name in entries.sorted() where !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files.append(contentsOf: walk(path))
            } else if let dot = name.lastIndex(of: "."),
                      imageExtensions.contains(name[name.index(after: dot)...].lowercased()) {
                files.append(path)
            }
        }
        return files
    }
}
