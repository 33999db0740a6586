#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCrypto

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto: the batch runner fingerprints every input file
/// with it (provenance in `report.json`, and the key that lets `--resume` skip unchanged slides),
/// and every cell identifier is a digest.
///
/// libcrypto's vetted assembly (AVX2, or SHA-NI where the CPU has it) is several times faster
/// than portable code. The state is OpenSSL's plain `SHA256_CTX` struct held by value, so a
/// hasher is an ordinary Swift value: copying it forks the digest (a shared prefix is hashed
/// once and copied — `CellIdentifier`), and `finalize` works on a copy.
public struct SHA256: Sendable {
    private var context = SHA256_CTX()

    public init() {
        Self.check(SHA256_Init(&context), "SHA256_Init")
    }

    /// Feeds bytes; may be called any number of times.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        Self.check(SHA256_Update(&context, base, bytes.count), "SHA256_Update")
    }

    /// Feeds the bytes of an array (or any sequence of bytes).
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) { return done }
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Writes the 32-byte digest to `out` (which must hold 32 bytes). The value itself is not
    /// changed, so it can be finalised again.
    public func finalize(into out: UnsafeMutableRawPointer) {
        var copy = context
        Self.check(SHA256_Final(out.assumingMemoryBound(to: UInt8.self), &copy), "SHA256_Final")
    }

    /// The 32-byte digest. The value itself is not changed, so it can be finalised again.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            finalize(into: buffer.baseAddress!)
            count = 32
        }
    }

    /// The digest as 64 lower-case hexadecimal digits (the `sha256sum` spelling).
    public func hexDigest() -> String { Self.hex(finalize()) }

    /// Digest of a byte sequence, in hexadecimal.
    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }

    /// Digest of UTF-8 text, in hexadecimal.
    public static func hex(of text: String) -> String { hex(of: Array(text.utf8)) }

    /// Lower-case hexadecimal spelling of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 &* i] = hexDigits[Int(b >> 4)]
                out[2 &* i &+ 1] = hexDigits[Int(b & 15)]
            }
            return bytes.count * 2
        }
    }

    /// The digits of `hex`, by value.
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Hashes a file in 1 MiB chunks; returns its size in bytes and its hexadecimal digest. The
    /// chunk is an ordinary array: an over-aligned allocation of this size per file, among the
    /// analysis buffers in the workers' heaps, made the retained heap grow with every slide.
    /// Errors are `ImageIOError`s naming the file.
    public static func file(at path: String) throws -> (bytes: Int, sha256: String) {
        guard let file = fopen(path, "rb") else {
            throw ImageIOError(.cannotRead, path: path, message: "cannot open file: \(FileBytes.systemMessage())")
        }
        defer { fclose(file) }
        var hasher = SHA256()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, chunk, file) }
            if n > 0 {
                buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                total += n
            }
            if n < chunk {
                if ferror(file) != 0 {
                    throw ImageIOError(.cannotRead, path: path, message: "read failed: \(FileBytes.systemMessage())")
                }
                break
            }
        }
        return (total, hasher.hexDigest())
    }

    /// The SHA256_* calls return 0 only for a null context or data pointer, which these
    /// wrappers never pass: a failure is a broken libcrypto, not an input error.
    @inline(__always) private static func check(_ result: Int32, _ call: StaticString) {
        precondition(result == 1, "libcrypto \(call) failed")
    }
}
