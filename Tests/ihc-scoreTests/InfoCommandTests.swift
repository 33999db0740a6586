import Foundation
import StainScore
import Testing

@Suite("ihc-score (end to end)")
struct InfoCommandTests {
    /// The fixture crops as listed in their own labels file: name → (width, height, format).
    static func fixtureCrops() throws -> [String: (Int, Int, String)] {
        let text = try String(contentsOfFile: CLI.packageRoot + "/fixtures/slides/real/labels.csv", encoding: .utf8)
        var rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = rows.removeFirst()
        let file = header.firstIndex(of: "file")!, w = header.firstIndex(of: "crop_w")!, h = header.firstIndex(of: "crop_h")!
        let format = header.firstIndex(of: "format")!
        var result: [String: (Int, Int, String)] = [:]
        for row in rows where row.count > max(file, w, h, format) {
            result[row[file]] = (Int(row[w])!, Int(row[h])!, row[format])
        }
        return result
    }

    @Test("--version and --help")
    func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == StainScoreVersion.version)
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("info"))
        #expect(help.stdout.contains("64  usage error"))
    }

    @Test("info over the fixtures: a table with every crop and its real size")
    func infoTable() throws {
        let crops = try Self.fixtureCrops()
        #expect(crops.count >= 5)
        let result = try CLI.run(["info", "fixtures/slides/real"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("FILE") == true)
        for (name, (w, h, _)) in crops {
            let line = lines.first { $0.contains(name) }
            #expect(line?.contains("\(w)×\(h)") == true, "\(name)")
            #expect(line?.hasSuffix("unknown") == true, "pixel size of \(name) must be unknown")
        }
    }

    @Test("info --json is machine-readable and agrees with the fixtures' labels")
    func infoJSON() throws {
        let crops = try Self.fixtureCrops()
        let result = try CLI.run(["info", "--json", "fixtures/slides/real"])
        #expect(result.status == 0)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(records.count == crops.count)
        for record in records {
            let path = try #require(record["path"] as? String)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let expected = try #require(crops[name])
            let info = try #require(record["info"] as? [String: Any])
            #expect(record["ok"] as? Bool == true)
            #expect(info["width"] as? Int == expected.0)
            #expect(info["height"] as? Int == expected.1)
            #expect(info["pixelSize"] == nil)
            let format = try #require(info["format"] as? String)
            #expect(expected.2.lowercased().hasPrefix(format == "jpeg" ? "jp" : format), "\(name): \(format) vs \(expected.2)")
        }
    }

    @Test("an unreadable file gets an error line; the others are still reported; exit code 2")
    func partialFailure() throws {
        let scratch = Scratch()
        let good = scratch.file("a-good.png")
        try ImageWriter.writePNG(RGBImage(width: 10, height: 5), to: good)
        FileManager.default.createFile(atPath: scratch.file("b-corrupt.png"), contents: Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]))
        FileManager.default.createFile(atPath: scratch.file("c-empty.tif"), contents: Data())
        FileManager.default.createFile(atPath: scratch.file("notes.txt"), contents: Data("not an image".utf8))
        let result = try CLI.run(["info", scratch.path])
        #expect(result.status == 2)
        #expect(result.stdout.contains("a-good.png") && result.stdout.contains("10×5"))
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 2)
        #expect(errors.contains { $0.contains("b-corrupt.png: not a PNG, JPEG or TIFF file") })
        #expect(errors.contains { $0.contains("c-empty.tif: empty file") })
        #expect(!result.stdout.contains("notes.txt"), "non-image files in folders are skipped")
        let json = try CLI.run(["info", "--json", scratch.path])
        #expect(json.status == 2)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(records.map { $0["ok"] as? Bool } == [true, false, false])
        #expect((records[2]["error"] as? [String: Any])?["kind"] as? String == "empty")
    }

    @Test("usage errors exit with 64")
    func usage() throws {
        #expect(try CLI.run(["info"]).status == 64)
        #expect(try CLI.run(["info", "--pixel-budget=-1", "x.png"]).status == 64)
        #expect(try CLI.run(["frobnicate"]).status == 64)
    }

    @Test("multi-page TIFF: --all-pages lists each page")
    func allPages() throws {
        let scratch = Scratch()
        let pages = [TIFFPage(RGBImage(width: 8, height: 8)), TIFFPage(RGBImage(width: 4, height: 2))]
        try ImageWriter.writeTIFF(pages: pages, to: scratch.file("p.tif"))
        let first = try CLI.run(["info", scratch.file("p.tif")])
        #expect(first.stdout.contains("1/2") && !first.stdout.contains("2/2"))
        let all = try CLI.run(["info", "--all-pages", scratch.file("p.tif")])
        #expect(all.stdout.contains("1/2") && all.stdout.contains("2/2") && all.stdout.contains("4×2"))
    }
}
