#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes files so that readers never see a partial one: the content goes to a temporary
/// file in the same directory, which is renamed over the destination only once complete.
/// A crash or kill half-way leaves the previous file (or none), never a truncated one.
public enum AtomicFile {
    private static let counter = Atomic<Int>(0)

    /// Runs `write` with a temporary path beside `path`, then renames it into place.
    /// On failure the temporary file is removed and the destination left untouched.
    public static func write(to path: String, _ write: (String) throws -> Void) throws {
        let n = counter.add(1, ordering: .relaxed).newValue
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory).\(name).tmp-\(getpid())-\(n)"
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

    /// Writes `bytes` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { (temporary: String) throws in
            guard let file = fopen(temporary, "wb") else {
                throw ImageIOError(.cannotWrite, path: path, message: "cannot create file: \(FileBytes.systemMessage())")
            }
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            let flushed = fflush(file) == 0
            let closed = fclose(file) == 0
            guard written == bytes.count, flushed, closed else {
                throw ImageIOError(.cannotWrite, path: path, message: "write failed: \(FileBytes.systemMessage())")
            }
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
