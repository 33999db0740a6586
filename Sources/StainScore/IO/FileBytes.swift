#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file and head-of-file reads with POSIX calls, so errors carry the system's words.
enum FileBytes {
    /// Opens `path` for reading, refusing directories and other non-regular files.
    private static func open(_ path: String) throws -> (fd: Int32, size: Int) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageIOError(.cannotRead, path: path, message: systemMessage()) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let message = systemMessage()
            close(fd)
            throw ImageIOError(.cannotRead, path: path, message: message)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            let what = (st.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : "is not a regular file"
            throw ImageIOError(.cannotRead, path: path, message: what)
        }
        return (fd, Int(st.st_size))
    }

    /// The first `count` bytes (fewer if the file is shorter) and the file's size.
    static func head(of path: String, count: Int) throws -> (bytes: [UInt8], fileSize: Int) {
        let (fd, size) = try open(path)
        defer { close(fd) }
        let bytes = try readFully(fd, path: path, count: min(count, size))
        return (bytes, size)
    }

    /// The whole file.
    static func contents(of path: String) throws -> [UInt8] {
        let (fd, size) = try open(path)
        defer { close(fd) }
        return try readFully(fd, path: path, count: size)
    }

    private static func readFully(_ fd: Int32, path: String, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        var failure: ImageIOError?
        bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let n = read(fd, buffer.baseAddress! + done, count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = ImageIOError(.cannotRead, path: path, message: systemMessage())
                    return
                }
                if n == 0 { break }  // the file shrank while we read it
                done += n
            }
        }
        if let failure { throw failure }
        return done == count ? bytes : Array(bytes.prefix(done))
    }

    static func systemMessage(_ code: Int32 = errno) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
