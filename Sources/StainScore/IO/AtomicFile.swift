#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Foundation

/// Writes files so that readers never see a partial one: the content goes to a temporary
/// file in the same directory, which is renamed over the destination only once complete.
/// A crash or kill half-way leaves the previous file (or none), never a truncated one.
public enum AtomicFile {
    private static let counter = Atomic<Int>(0)

    /// Runs `write` with a temporary path beside `path`, then renames it into place.
    /// On failure the temporary file is removed and the destination left untouched.
    public static func write(to path: String, _ write: (String) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        do {
            try write(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let message = FileBytes.systemMessage()
            unlink(temporary)
            throw ImageIOError(.cannotWrite, path: path, message: "cannot rename into place: \(message)")
        }
    }

    /// A fresh temporary name beside `path`: `DIR/.NAME.tmp-PID-N`, hidden and clearly marked, so
    /// that one left by a killed process is recognised (`isTemporary`) and removed by the next run.
    public static func temporaryPath(for path: String) -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp-\(getpid())-\(n)"
    }

    /// Whether a file name is one of `temporaryPath`'s (of any process), and that process's id.
    public static func temporaryOwner(of fileName: String) -> Int32? {
        guard fileName.hasPrefix("."), let marker = fileName.range(of: ".tmp-", options: .backwards) else { return nil }
        let parts = fileName[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = Int32(parts[0]), parts[1].allSatisfy(\.isNumber), !parts[1].isEmpty else { return nil }
        return pid
    }

    /// Removes the temporary files other processes left in `directory` (and, with `recursive`,
    /// its sub-folders): those of a run that was killed. The caller must make sure no other
    /// process is writing there (the batch output holds a lock on its folder). Returns the paths
    /// removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String, recursive: Bool) -> [String] {
        var removed: [String] = []
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return removed }
        for name in entries.sorted() {
            let path = directory + "/" + name
            if let owner = temporaryOwner(of: name), owner != getpid() {
                if unlink(path) == 0 { removed.append(path) }
                continue
            }
            var isDirectory: ObjCBool = false
            if recursive, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                removed += removeStaleTemporaries(in: path, recursive: true)
            }
        }
        return removed
    }

    /// Writes `bytes` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    /// Writes the bytes of `buffer` atomically.
    public static func write(_ buffer: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { (temporary: String) throws in
            guard let file = fopen(temporary, "wb") else {
                throw ImageIOError(.cannotWrite, path: path, message: "cannot create file: \(FileBytes.systemMessage())")
            }
            let written = buffer.count == 0 ? 0 : fwrite(buffer.baseAddress, 1, buffer.count, file)
            let flushed = fflush(file) == 0
            let closed = fclose(file) == 0
            guard written == buffer.count, flushed, closed else {
                throw ImageIOError(.cannotWrite, path: path, message: "write failed: \(FileBytes.systemMessage())")
            }
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
