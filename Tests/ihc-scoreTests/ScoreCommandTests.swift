import Foundation
import StainScore
import Testing

/// Reading a results folder back, for the end-to-end tests.
enum Results {
    static func table(_ path: String) throws -> CSVTable { try CSVTable(contentsOf: path) }

    static func column(_ table: CSVTable, _ name: String) throws -> [String] {
        let index = try #require(table.header.firstIndex(of: name), "no column \(name) in \(table.path)")
        return table.rows.map { $0.fields[index] }
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Every file under `folder` (relative path → bytes), hidden state excluded.
    static func files(_ folder: String, under sub: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let root = folder + "/" + sub
        let walker = FileManager.default.enumerator(atPath: root)
        while let name = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[sub + "/" + name] = FileManager.default.contents(atPath: root + "/" + name)
            }
        }
        return out
    }

    /// tiles.csv without its `seconds` column (the only one that varies between identical runs).
    static func tilesWithoutTimes(_ path: String) throws -> [[String]] {
        let table = try table(path)
        let seconds = try #require(table.header.firstIndex(of: "seconds"))
        return [table.header] + table.rows.map(\.fields).map { row in row.enumerated().filter { $0.offset != seconds }.map(\.element) }
    }

    /// Hidden temporary files (`.NAME.tmp-PID-N`) anywhere under `folder`.
    static func temporaries(_ folder: String) -> [String] {
        var out: [String] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            if AtomicFile.temporaryOwner(of: URL(fileURLWithPath: name).lastPathComponent) != nil { out.append(name) }
        }
        return out
    }

    static func sha256sum(_ path: String) throws -> String {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        run.arguments = [path]
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}

@Suite("ihc-score score (end to end)")
struct ScoreCommandTests {
    static let scores: Set<String> = ["0", "1+", "2+", "3+"]
    static let categories: Set<String> = ["null", "ultralow", "low", "equivocal", "positive"]
    static let flags: Set<String> = ["ish-reflex", "borderline", "insufficient", "tile-errors", "stain-qc"]

    @Test("a folder of slides: outputs parse, are identical with --jobs 1 and --jobs 4, and validate reads them")
    func outputsAndDeterminism() throws {
        let scratch = Scratch()
        let input = BatchFixture.folder
        let one = scratch.file("one"), four = scratch.file("four")
        let a = try CLI.run(["score", input, "--out", one, "--jobs", "1", "--quiet"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stderr.isEmpty, "--quiet: \(a.stderr)")
        let b = try CLI.run(["score", input, "--out", four, "--jobs", "4", "--overlays"])
        #expect(b.status == 0, "\(b.stderr)")

        // Same bytes whatever --jobs (tiles.csv apart from its timing column).
        for name in ["slides.csv", "cells.csv"] {
            #expect(Results.bytes(one + "/" + name) == Results.bytes(four + "/" + name), "\(name) differs")
        }
        #expect(try Results.tilesWithoutTimes(one + "/tiles.csv") == Results.tilesWithoutTimes(four + "/tiles.csv"))
        let geojson = Results.files(one, under: "geojson")
        #expect(geojson.count == 6)
        #expect(geojson == Results.files(four, under: "geojson"))

        // stdout: the summary table, one line per slide, then the totals.
        let lines = a.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines.first?.hasPrefix("SLIDE") == true && lines.first?.contains("CATEGORY") == true)
        #expect(lines[1...3].map { String($0.prefix(9)) } == BatchFixture.slideNames)
        #expect(lines.last?.hasPrefix("3 slides: 3 scored, 0 resumed; 6 tiles;") == true)
        // Progress without a terminal: plain lines, the last one complete.
        let progress = b.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(progress.last?.contains("slides 3/3  tiles 6/6") == true && progress.last?.contains("done in") == true, "\(b.stderr)")

        try Self.checkOutputs(one, input: input)
        for slide in BatchFixture.slideNames {
            for tile in ["tile-000", "tile-001"] {
                let png = try #require(Results.bytes("\(four)/overlays/\(slide)/\(tile).png"))
                #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: one + "/overlays"))

        // validate reads the results folder.
        let validate = try CLI.run(["validate", input, "--results", one])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("3 truth slides, 3 predicted, 3 compared"), "\(validate.stdout)")
    }

    /// Column headers and types of every CSV, report.json's provenance, and the GeoJSON against the cells.
    static func checkOutputs(_ out: String, input: String) throws {
        let slides = try Results.table(out + "/slides.csv")
        #expect(Array(slides.header.prefix(9)) == ["slide", "score", "category", "pct_1plus_or_more", "pct_2plus_or_more",
                                                   "pct_3plus", "h_score", "tumour_cells", "flags"])
        #expect(try Results.column(slides, "slide") == BatchFixture.slideNames)
        for row in slides.rows {
            let f = row.fields
            #expect(scores.contains(f[1]) && categories.contains(f[2]), "\(f)")
            for k in 3...6 { #expect(Double(f[k]).map { $0 >= 0 && $0 <= (k == 6 ? 300 : 100) } == true, "\(f[k])") }
            #expect(Double(f[3])! >= Double(f[4])! && Double(f[4])! >= Double(f[5])!)
            #expect(Int(f[7]).map { $0 > 0 } == true)
            #expect(f[8].split(separator: ";").allSatisfy { flags.contains(String($0)) }, "\(f[8])")
        }
        let tiles = try Results.table(out + "/tiles.csv")
        #expect(tiles.header == TilesCSV.columns)
        #expect(tiles.rows.count == 6)
        #expect(try Results.column(tiles, "mpp_source").allSatisfy { $0 == "png-phys" })
        #expect(try Results.column(tiles, "error").allSatisfy(\.isEmpty))
        let cells = try Results.table(out + "/cells.csv")
        #expect(Array(cells.header.prefix(8)) == ["slide", "tile", "x", "y", "kind", "class", "intensity", "completeness"])
        for row in cells.rows {
            let f = row.fields
            #expect(["tumour", "excluded"].contains(f[4]) && ["0", "1", "2", "3"].contains(f[5]))
            #expect(Double(f[2]).map { $0 >= 0 && $0 < 384 } == true && Double(f[3]).map { $0 >= 0 && $0 < 384 } == true)
            #expect(Double(f[7]).map { $0 >= 0 && $0 <= 1 } == true)
        }
        // Tumour cells per slide in cells.csv add up to slides.csv's.
        let tumourBySlide = Dictionary(grouping: cells.rows.filter { $0.fields[4] == "tumour" }, by: { $0.fields[0] }).mapValues(\.count)
        #expect(try Results.column(slides, "tumour_cells").map { Int($0)! } == BatchFixture.slideNames.map { tumourBySlide[$0] ?? 0 })

        // report.json: schema, tool, parameters, every input with its SHA-256 (checked with sha256sum).
        let report = try Results.json(out + "/report.json")
        #expect(report["schema"] as? String == "ihc-score/report/1")
        #expect(report["version"] as? String == StainScoreVersion.version)
        #expect((report["ruleSet"] as? [String: Any])?["name"] as? String == "breast-2018")
        let parameters = try JSONSerialization.data(withJSONObject: try #require(report["parameters"]))
        #expect(try JSONDecoder().decode(AnalysisParameters.self, from: parameters) == AnalysisParameters())
        let reportSlides = try #require(report["slides"] as? [[String: Any]])
        #expect(reportSlides.map { $0["slide"] as? String } == BatchFixture.slideNames)
        for slide in reportSlides {
            for tile in try #require(slide["tiles"] as? [[String: Any]]) {
                let path = try #require(tile["path"] as? String)
                #expect(tile["sha256"] as? String == (try Results.sha256sum(path)))
                let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
                #expect(tile["bytes"] as? Int == size)
                #expect((tile["pixelSize"] as? [String: Any])?["source"] as? String == "png-phys")
            }
        }
        let timings = try #require(report["timings"] as? [String: Any])
        #expect((timings["wallSeconds"] as? Double).map { $0 > 0 } == true)
        #expect((report["summary"] as? [String: Any])?["tiles"] as? Int == 6)

        // GeoJSON: a FeatureCollection of QuPath cells, one per row of cells.csv, same ids, closed rings
        // whose area is the cell's measured area.
        for slide in BatchFixture.slideNames {
            for tile in ["tile-000", "tile-001"] {
                let collection = try Results.json("\(out)/geojson/\(slide)/\(tile).geojson")
                #expect(collection["type"] as? String == "FeatureCollection")
                let features = try #require(collection["features"] as? [[String: Any]])
                let rows = cells.rows.filter { $0.fields[0] == slide && $0.fields[1] == tile + ".png" }
                #expect(features.map { $0["id"] as? String } == rows.map { $0.fields.last })
                for (feature, row) in zip(features, rows) {
                    #expect(feature["type"] as? String == "Feature")
                    let properties = try #require(feature["properties"] as? [String: Any])
                    #expect(properties["objectType"] as? String == "cell")
                    #expect(properties["isLocked"] as? Bool == false)
                    let classification = try #require(properties["classification"] as? [String: Any])
                    let name = try #require(classification["name"] as? String)
                    #expect(name == (row.fields[4] == "tumour" ? ["0", "1+", "2+", "3+"][Int(row.fields[5])!] : "Excluded"))
                    #expect((classification["color"] as? [Int])?.count == 3)
                    let geometry = try #require(feature["geometry"] as? [String: Any])
                    let area = try polygonArea(geometry)
                    let measured = try #require((properties["measurements"] as? [String: Any])?["Cell: Area µm^2"] as? Double)
                    #expect(abs(area * 0.25 - measured) < 0.006, "cell area \(area) px vs \(measured) µm²")
                    #expect(feature["nucleusGeometry"] is [String: Any])
                }
            }
        }
    }

    /// Shoelace area of a Polygon or MultiPolygon (holes subtracted); checks that rings are closed.
    static func polygonArea(_ geometry: [String: Any]) throws -> Double {
        let type = try #require(geometry["type"] as? String)
        let coordinates = try #require(geometry["coordinates"] as? [Any])
        let polygons = type == "Polygon" ? [coordinates] : coordinates.map { $0 as! [Any] }
        #expect(["Polygon", "MultiPolygon"].contains(type))
        var total = 0.0
        for polygon in polygons {
            for (k, ringAny) in polygon.enumerated() {
                let ring = (ringAny as! [[Double]])
                #expect(ring.first == ring.last && ring.count >= 4, "ring not closed")
                var twice = 0.0
                for i in 0..<(ring.count - 1) { twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
                #expect(k == 0 ? twice > 0 : twice < 0, "exterior counter-clockwise, holes clockwise")
                total += twice / 2
            }
        }
        return total
    }

    @Test("one corrupt tile: the batch completes, the error is listed, the slide is flagged, exit code 2")
    func corruptTile() throws {
        let scratch = Scratch()
        let input = try BatchFixture.copy(into: scratch)
        let bad = input + "/slide-002/tile-001.png"
        let original = try #require(Results.bytes(bad))
        try original.prefix(300).write(to: URL(fileURLWithPath: bad))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: input + "/slide-003/tile-002.tif"))
        let out = scratch.file("out")
        let run = try CLI.run(["score", input, "--out", out, "--quiet"])
        #expect(run.status == 2, "\(run.stderr)")
        let errors = run.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 2, "\(run.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(bad): ") })
        #expect(errors.contains { $0.hasPrefix("error: \(input)/slide-003/tile-002.tif: not a PNG, JPEG or TIFF file") })
        let tiles = try Results.table(out + "/tiles.csv")
        #expect(tiles.rows.count == 7)
        let failed = tiles.rows.filter { !$0.fields.last!.isEmpty }.map { $0.fields[0] + "/" + $0.fields[1] }
        #expect(failed == ["slide-002/tile-001.png", "slide-003/tile-002.tif"])
        let slides = try Results.table(out + "/slides.csv")
        let flags = try Results.column(slides, "flags")
        #expect(flags.map { $0.contains("tile-errors") } == [false, true, true])
        #expect(try Results.column(slides, "failed_tiles") == ["0", "1", "1"])
        // The slide is scored on its readable tile.
        let tumour = try Results.column(slides, "tumour_cells").map { Int($0)! }
        #expect(tumour[1] > 0)
        let report = try Results.json(out + "/report.json")
        let listed = try #require(report["errors"] as? [[String: Any]]).compactMap { $0["path"] as? String }
        #expect(listed == [bad, input + "/slide-003/tile-002.tif"])
        #expect(run.stdout.contains("(2 failed)"))
    }

    @Test("usage errors exit 64, an unwritable results folder 74", arguments: [
        (["score", "--out", "OUT"], "give INPUT paths or --manifest"),
        (["score", "IN", "--out", "OUT", "--manifest", "m.csv"], "not both"),
        (["score", "/nonexistent/slides", "--out", "OUT"], "/nonexistent/slides: no such file or folder"),
        (["score", "IN", "--out", "OUT", "--jobs", "0"], "--jobs"),
        (["score", "IN", "--out", "OUT", "--rules", "breast-1999"], "unknown rule set"),
        (["score", "IN", "--out", "OUT", "--bogus"], "--bogus"),
        (["score", "IN"], "--out"),
        (["score", "IN", "--out", "OUT", "--config", "CONFIG"], "bad.toml:2: unknown key 'nuclei.minimumArea'"),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let scratch = Scratch()
        try "[nuclei]\nminimumArea = 5\n".write(toFile: scratch.file("bad.toml"), atomically: true, encoding: .utf8)
        let resolved = arguments.map {
            $0 == "IN" ? BatchFixture.folder + "/slide-001" : $0 == "OUT" ? scratch.file("out") : $0 == "CONFIG" ? scratch.file("bad.toml") : $0
        }
        let run = try CLI.run(resolved)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/slides.csv")))
    }

    @Test("a results folder that cannot be created exits 74")
    func unwritable() throws {
        let scratch = Scratch()
        try "a file".write(toFile: scratch.file("file"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["score", BatchFixture.folder + "/slide-001", "--out", scratch.file("file/out"), "--quiet"])
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("error: \(scratch.file("file/out")): cannot create the output folder"), "\(run.stderr)")
    }

    @Test("--config: the file's values apply, options override them; config --check names bad lines")
    func configuration() throws {
        let scratch = Scratch()
        let defaults = try CLI.run(["config", "--print-defaults"])
        #expect(defaults.status == 0)
        let edited = defaults.stdout.replacingOccurrences(of: "minimumTumourCells = 100", with: "minimumTumourCells = 10")
            .replacingOccurrences(of: "ruleSet = \"breast-2018\"", with: "ruleSet = \"breast-2007\"")
        #expect(edited != defaults.stdout)
        try edited.write(toFile: scratch.file("p.toml"), atomically: true, encoding: .utf8)
        let check = try CLI.run(["config", "--check", scratch.file("p.toml")])
        #expect(check.status == 0)
        var expected = AnalysisParameters()
        expected.rules.minimumTumourCells = 10
        expected.rules.ruleSet = .breast2007
        #expect(try JSONDecoder().decode(AnalysisParameters.self, from: Data(check.stdout.utf8)) == expected)

        let out = scratch.file("out")
        let run = try CLI.run(["score", BatchFixture.folder + "/slide-001", "--out", out, "--config", scratch.file("p.toml"),
                               "--rules", "gastric-resection", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Results.json(out + "/report.json")
        let rules = try #require((report["parameters"] as? [String: Any])?["rules"] as? [String: Any])
        #expect(rules["ruleSet"] as? String == "gastric-resection")  // the option wins
        #expect(rules["minimumTumourCells"] as? Int == 10)           // the file's value
        #expect(try Results.column(Results.table(out + "/slides.csv"), "rule_set") == ["gastric-resection"])
        #expect(try !Results.column(Results.table(out + "/slides.csv"), "flags")[0].contains("insufficient"))

        try "[rules]\nruleSet = \"breast-2018\"\nminimumTumorCells = 3\n".write(toFile: scratch.file("typo.toml"), atomically: true, encoding: .utf8)
        let typo = try CLI.run(["config", "--check", scratch.file("typo.toml")])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("typo.toml:3: unknown key 'rules.minimumTumorCells'; did you mean 'rules.minimumTumourCells'?"), "\(typo.stderr)")
    }

    @Test("regions of interest: a GeoJSON beside one tile and a mask beside the other restrict cells and tissue")
    func regionsOfInterest() throws {
        let scratch = Scratch()
        let input = try BatchFixture.copy(into: scratch)
        let slide = input + "/slide-001"
        let plain = scratch.file("plain"), restricted = scratch.file("roi")
        #expect(try CLI.run(["score", slide, "--out", plain, "--quiet"]).status == 0)
        // Left half of tile-000 (an annotation with a hole), right half of tile-001 (a mask).
        try #"""
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"objectType": "annotation"},
              "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [192, 0], [192, 384], [0, 384], [0, 0]],
                                                               [[20, 20], [40, 20], [40, 40], [20, 40], [20, 20]]]}}]}
            """#.write(toFile: slide + "/tile-000.geojson", atomically: true, encoding: .utf8)
        var mask = RGBImage(width: 384, height: 384, fill: (0, 0, 0))
        for y in 0..<384 { for x in 192..<384 { mask[x, y] = (255, 255, 255) } }
        try ImageWriter.writePNG(mask, to: slide + "/tile-001_mask.png")
        let run = try CLI.run(["score", slide, "--out", restricted, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")

        let all = try Results.table(plain + "/cells.csv"), some = try Results.table(restricted + "/cells.csv")
        // The same analysis, restricted: exactly the cells whose nucleus centre pixel is inside.
        func inside(_ f: [String]) -> Bool {
            let x = Double(f[2])!, y = Double(f[3])!
            let px = Int((x + 0.5).rounded(.down)), py = Int((y + 0.5).rounded(.down))
            return f[1] == "tile-000.png" ? px < 192 && !((20..<40).contains(px) && (20..<40).contains(py)) : px >= 192
        }
        let withoutID = { (rows: [CSVTable.Row]) in rows.map { Array($0.fields.dropLast()) } }
        let expected = withoutID(all.rows).filter(inside)
        #expect(withoutID(some.rows) == expected)
        #expect(!expected.isEmpty && expected.count < all.rows.count)
        let tiles = try Results.table(restricted + "/tiles.csv"), plainTiles = try Results.table(plain + "/tiles.csv")
        #expect(try Results.column(tiles, "roi") == [slide + "/tile-000.geojson", slide + "/tile-001_mask.png"])
        let area = try Results.column(tiles, "tissue_area_mm2").map { Double($0)! }
        let plainArea = try Results.column(plainTiles, "tissue_area_mm2").map { Double($0)! }
        #expect(zip(area, plainArea).allSatisfy { $0 < $1 })
        let report = try Results.json(restricted + "/report.json")
        let reportTiles = try #require((report["slides"] as? [[String: Any]])?.first?["tiles"] as? [[String: Any]])
        let roi = reportTiles.map { $0["regionOfInterest"] as? [String: Any] }
        #expect(roi.map { $0?["kind"] as? String } == ["geojson", "mask"])
        #expect(roi.map { $0?["insidePixels"] as? Int } == [192 * 384 - 400, 192 * 384])
        #expect(roi.map { $0?["sha256"] as? String } == [try Results.sha256sum(slide + "/tile-000.geojson"),
                                                         try Results.sha256sum(slide + "/tile-001_mask.png")])
        let features = try #require(try Results.json(restricted + "/geojson/slide-001/tile-000.geojson")["features"] as? [Any])
        #expect(features.count == some.rows.filter { $0.fields[1] == "tile-000.png" }.count)
    }

    @Test("--manifest: slides named and tiles gathered as listed, with per-tile pixel sizes")
    func manifest() throws {
        let scratch = Scratch()
        let input = try BatchFixture.copy(into: scratch)
        try """
            slide,path,mpp
            case-B,slides/slide-002/tile-000.png,0.5
            case-A,slides/slide-001/tile-001.png,0.5
            case-A,slides/slide-001/tile-000.png,0.5

            """.write(toFile: scratch.file("manifest.csv"), atomically: true, encoding: .utf8)
        let out = scratch.file("out")
        let run = try CLI.run(["score", "--manifest", scratch.file("manifest.csv"), "--override-mpp", "--out", out, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Results.column(Results.table(out + "/slides.csv"), "slide") == ["case-B", "case-A"])
        let tiles = try Results.table(out + "/tiles.csv")
        #expect(try Results.column(tiles, "path") == [input + "/slide-002/tile-000.png", input + "/slide-001/tile-000.png",
                                                      input + "/slide-001/tile-001.png"])
        #expect(try Results.column(tiles, "mpp_source") == ["user", "user", "user"])
        // The same tiles scored as a folder give the same cells.
        let folder = scratch.file("folder")
        #expect(try CLI.run(["score", input + "/slide-001", "--out", folder, "--quiet"]).status == 0)
        let a = try Results.table(out + "/cells.csv").rows.filter { $0.fields[0] == "case-A" }.map { $0.fields[1...14] }
        let b = try Results.table(folder + "/cells.csv").rows.map { $0.fields[1...14] }
        #expect(a == b)
    }

    @Test("a tile without a pixel size is an error naming the cure; --mpp supplies it")
    func missingPixelSize() throws {
        let scratch = Scratch()
        var image = try ImageReader().read(BatchFixture.folder + "/slide-001/tile-000.png")
        image.pixelSize = nil
        try FileManager.default.createDirectory(atPath: scratch.file("s"), withIntermediateDirectories: true)
        try ImageWriter.writePNG(image, to: scratch.file("s/t.png"))
        let run = try CLI.run(["score", scratch.file("s"), "--out", scratch.file("a"), "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr == "error: \(scratch.file("s/t.png")): pixel size unknown: the file carries none; give it with --mpp (or an mpp column in a manifest)\n")
        let fixed = try CLI.run(["score", scratch.file("s"), "--out", scratch.file("b"), "--quiet", "--mpp", "0.5"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(try Results.column(Results.table(scratch.file("b/tiles.csv")), "mpp_source") == ["user"])
    }

    @Test("on a terminal the progress is one bar redrawn in place", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressBar() throws {
        let scratch = Scratch()
        let command = "\(CLI.binary) score \(BatchFixture.folder)/slide-001 --out \(scratch.file("out")) --jobs 2"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("\r[########################] 100% slides 1/1  tiles 2/2"), "\(text.debugDescription)")
        #expect(text.contains("\u{1B}[K"))
        #expect(!text.contains("progress: "))
        #expect(text.contains("slide-001  "))
    }

    @Test("validate without --results scores the slides through the batch runner")
    func validateScores() throws {
        let run = try CLI.run(["validate", BatchFixture.folder])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("3 truth slides, 3 predicted, 3 compared"))
    }
}
