#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written piece by piece under a temporary name and renamed into place only when
/// complete — for outputs too large to build in memory (a batch's `cells.csv`). Until `commit`,
/// readers see the previous file or none; a process killed half-way leaves only the hidden
/// temporary (`AtomicFile.temporaryPath`), which the next run removes.
public final class AtomicStream {
    public let path: String
    public let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var hasher: SHA256?
    public private(set) var bytesWritten = 0

    /// Opens the temporary file; `hashing` keeps a SHA-256 of everything written.
    public init(path: String, hashing: Bool = false) throws {
        self.path = path
        self.temporaryPath = AtomicFile.temporaryPath(for: path)
        guard let file = fopen(temporaryPath, "wb") else {
            throw ImageIOError(.cannotWrite, path: path, message: "cannot create file: \(FileBytes.systemMessage())")
        }
        self.file = file
        if hashing { hasher = SHA256() }
    }

    deinit { abandon() }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file else { throw ImageIOError(.cannotWrite, path: path, message: "write after close") }
        guard bytes.count > 0 else { return }
        guard fwrite(bytes.baseAddress, 1, bytes.count, file) == bytes.count else {
            throw ImageIOError(.cannotWrite, path: path, message: "write failed: \(FileBytes.systemMessage())")
        }
        hasher?.update(bytes)
        bytesWritten += bytes.count
    }

    /// Appends the whole content of another file.
    public func append(contentsOf source: String) throws {
        guard let input = fopen(source, "rb") else {
            throw ImageIOError(.cannotRead, path: source, message: "cannot open file: \(FileBytes.systemMessage())")
        }
        defer { fclose(input) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
            if n > 0 { try buffer.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            if n < buffer.count {
                if ferror(input) != 0 { throw ImageIOError(.cannotRead, path: source, message: "read failed: \(FileBytes.systemMessage())") }
                return
            }
        }
    }

    /// Pushes what was written so far to the temporary file, so that it can be read back
    /// (`append(contentsOf: temporaryPath)` of another stream) before `commit`.
    public func flush() throws {
        guard let file else { throw ImageIOError(.cannotWrite, path: path, message: "already closed") }
        guard fflush(file) == 0 else {
            throw ImageIOError(.cannotWrite, path: path, message: "write failed: \(FileBytes.systemMessage())")
        }
    }

    /// SHA-256 of what was written so far (when opened with `hashing`).
    public var sha256: String? { hasher?.hexDigest() }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        guard let file else { throw ImageIOError(.cannotWrite, path: path, message: "already closed") }
        self.file = nil
        let flushed = fflush(file) == 0
        let closed = fclose(file) == 0
        guard flushed, closed else {
            let message = FileBytes.systemMessage()
            unlink(temporaryPath)
            throw ImageIOError(.cannotWrite, path: path, message: "write failed: \(message)")
        }
        if rename(temporaryPath, path) != 0 {
            let message = FileBytes.systemMessage()
            unlink(temporaryPath)
            throw ImageIOError(.cannotWrite, path: path, message: "cannot rename into place: \(message)")
        }
    }

    /// Closes and removes the temporary file; the destination is left as it was.
    public func abandon() {
        guard let file else { return }
        self.file = nil
        fclose(file)
        unlink(temporaryPath)
    }
}
