import Foundation
import StainScore
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180 example vectors")
    func vectors() {
        #expect(SHA256.hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // The 448-bit message: padding spills into a second block.
        #expect(SHA256.hex(of: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // The 896-bit message.
        #expect(SHA256.hex(of: "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        // One million 'a', fed in uneven chunks.
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let n = min(chunk.count, 1_000_000 - fed)
            hasher.update(chunk[0..<n])
            fed += n
        }
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("any split of the input gives the one-shot digest")
    func splits() {
        var generator = SplitMix(seed: 3)
        let message = (0..<200).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let whole = SHA256.hex(of: message)
        for cut in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[0..<cut])
            hasher.update(message[cut...])
            #expect(hasher.hexDigest() == whole, "split at \(cut)")
        }
    }

    @Test("file digests agree with sha256sum", arguments: [0, 1, 55, 56, 63, 64, 65, 4095, (1 << 20) + 100])
    func files(size: Int) throws {
        let scratch = TemporaryFolder()
        var generator = SplitMix(seed: UInt64(size) + 1)
        let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let path = scratch.file("data.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (count, digest) = try SHA256.file(at: path)
        #expect(count == size)
        #expect(digest == (try Self.sha256sum(path)))
    }

    @Test("an unreadable file is an error naming it")
    func missing() {
        #expect(throws: ImageIOError.self) { try SHA256.file(at: "/nonexistent/ihc-score-file") }
    }

    /// The digest printed by coreutils' sha256sum.
    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
