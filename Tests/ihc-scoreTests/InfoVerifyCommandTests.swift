import Foundation
import Testing

/// `info --verify` decodes every pixel: a file whose image data is half lost keeps a sound header
/// (plain `info` reports it as a good image), which only a full decode shows. PNG and JPEG are cut
/// in half; the TIFF, whose directory follows its strips, has the second half of its strips zeroed.
@Suite("ihc-score info --verify (end to end)")
struct InfoVerifyCommandTests {
    @Test("half the image data lost: plain info passes it, --verify reports it and exits 2", arguments: [
        "core01-3plus-1024.png", "core02-2plus-2048.jpg", "core03-2plus-1024.tif",
    ])
    func truncated(name: String) throws {
        let scratch = Scratch()
        let source = CLI.packageRoot + "/fixtures/slides/real/" + name
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let cut = scratch.file("cut-" + name), whole = scratch.file(name)
        if name.hasSuffix(".tif") {
            // Little-endian TIFF: the first directory's offset is bytes 4–7; zero from the middle of
            // the file up to it.
            let ifd = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
            var damaged = bytes
            #expect(ifd > bytes.count / 2, "the directory follows the strips")
            for i in (bytes.count / 2)..<ifd { damaged[i] = 0 }
            try damaged.write(to: URL(fileURLWithPath: cut))
        } else {
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        }
        try bytes.write(to: URL(fileURLWithPath: whole))

        let plain = try CLI.run(["info", cut])
        #expect(plain.status == 0, "the header alone looks sound: \(plain.stderr)")

        let verified = try CLI.run(["info", "--verify", "--json", scratch.path])
        #expect(verified.status == 2, "\(verified.stderr)")
        #expect(verified.stderr.contains(cut), "the error names the file: \(verified.stderr)")
        let records = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: records.map { (URL(fileURLWithPath: $0["path"] as! String).lastPathComponent, $0) })
        #expect(byName["cut-" + name]?["verified"] as? Bool == false)
        #expect(byName["cut-" + name]?["ok"] as? Bool == false)
        #expect(byName[name]?["verified"] as? Bool == true)
        #expect(byName[name]?["ok"] as? Bool == true)
    }

    @Test("corrupted image data inside a complete PNG: --verify reports it")
    func corrupted() throws {
        let scratch = Scratch()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.packageRoot + "/fixtures/slides/real/core01-3plus-1024.png"))
        // Overwrite a stretch in the middle of the compressed data (the CRC of its chunk no longer matches).
        let middle = bytes.count / 2
        for i in middle..<(middle + 64) { bytes[i] ^= 0x5A }
        let path = scratch.file("bad.png")
        try bytes.write(to: URL(fileURLWithPath: path))
        let table = try CLI.run(["info", "--verify", path])
        #expect(table.status == 2)
        #expect(table.stdout.contains("(corrupt data)"), "\(table.stdout)")
        #expect(table.stderr.contains("bad.png"))
    }
}
