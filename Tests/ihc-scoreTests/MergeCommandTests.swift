#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StainScore
import Testing

/// Five small virtual slides (2 tiles of 384 px each, synth seed 23), generated once with the
/// built binary and kept in `.build/test-fixtures/` for later runs, with a configuration that
/// lets such small slides be scored (`[rules] minimumTumourCells = 10`).
enum ShardFixture {
    static let folder: String = {
        let path = CLI.packageRoot + "/.build/test-fixtures/shards-s23-5x2-384"
        if FileManager.default.fileExists(atPath: path + "/labels.csv") { return path }
        let temporary = path + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        let run = try? CLI.run(["synth", temporary, "--slides", "5", "--tiles-per-slide", "2", "--size", "384", "--seed", "23"])
        precondition(run?.status == 0, "synth failed: \(run?.stderr ?? "not run")")
        if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        return path
    }()

    static let slides = ["slide-001", "slide-002", "slide-003", "slide-004", "slide-005"]

    /// `[rules] minimumTumourCells = 10` in `scratch`.
    static func config(in scratch: Scratch) throws -> String {
        let path = scratch.file("small.toml")
        try "[rules]\nminimumTumourCells = 10\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A manifest of `slides` (in that order, tiles listed last first) with paths relative to
    /// the fixture, written into `scratch/relative/` beside a link to the fixture.
    static func manifest(_ slides: [String], in scratch: Scratch, name: String) throws -> String {
        let folder = scratch.file("relative")
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder + "/slides", withDestinationPath: ShardFixture.folder)
        }
        var text = "slide,path\n"
        for slide in slides {
            for tile in ["tile-001.png", "tile-000.png"] { text += "\(slide),slides/\(slide)/\(tile)\n" }
        }
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// tiles.csv without its `seconds` column (the one column that differs between two runs).
    static func tilesWithoutSeconds(_ path: String) throws -> [String] {
        let table = try CSVTable(contentsOf: path)
        let seconds = try #require(table.header.firstIndex(of: "seconds"))
        return [table.header.joined(separator: ",")] + table.rows.map { row in
            row.fields.enumerated().filter { $0.offset != seconds }.map(\.element).joined(separator: "\u{1F}")
        }
    }

    /// The slides of a report.json without their timings.
    static func slidesWithoutTimings(_ report: [String: Any]) throws -> [NSDictionary] {
        let slides = try #require(report["slides"] as? [[String: Any]])
        return slides.map { slide in
            var slide = slide
            slide["analysisSeconds"] = nil
            slide["tiles"] = (slide["tiles"] as? [[String: Any]])?.map { tile in
                var tile = tile
                tile["seconds"] = nil
                return tile
            }
            return slide as NSDictionary
        }
    }

    /// Asserts that `merged` holds what the single run in `single` wrote.
    static func expectSameResults(_ merged: String, _ single: String, overlays: Bool) throws {
        for name in ["slides.csv", "cells.csv"] {
            let a = try #require(Results.bytes(single + "/" + name)), b = try #require(Results.bytes(merged + "/" + name))
            #expect(a == b, "\(name) of the merge differs from the single run's")
        }
        #expect(try tilesWithoutSeconds(single + "/tiles.csv") == tilesWithoutSeconds(merged + "/tiles.csv"))
        let one = try Results.json(single + "/report.json"), joined = try Results.json(merged + "/report.json")
        #expect(try slidesWithoutTimings(one) == slidesWithoutTimings(joined))
        #expect((one["summary"] as? NSDictionary) == (joined["summary"] as? NSDictionary))
        #expect((one["errors"] as? NSArray) == (joined["errors"] as? NSArray))
        #expect(joined["parametersSHA256"] as? String == one["parametersSHA256"] as? String)
        #expect(Results.files(single, under: "geojson") == Results.files(merged, under: "geojson"))
        if overlays { #expect(Results.files(single, under: "overlays") == Results.files(merged, under: "overlays")) }
        // report.html: the same index and slide sections (only the run's provenance differs).
        func sections(_ folder: String) throws -> String {
            let page = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
            let start = try #require(page.range(of: "<section id=\"index\">")), end = try #require(page.range(of: "<section id=\"run\""))
            return String(page[start.lowerBound..<end.lowerBound])
        }
        #expect(try sections(single) == sections(merged))
    }
}

@Suite("ihc-score merge", .serialized)
struct MergeCommandTests {
    @Test("merging shards scored from consecutive parts of a manifest equals one run over it: CSVs, report, GeoJSON, overlays, report.html; --resume works on the merge")
    func mergeEqualsOneRun() throws {
        let scratch = Scratch()
        let config = try ShardFixture.config(in: scratch)
        // Not in name order: a run lists slides in the manifest's order, and so does the merge.
        let order = ["slide-003", "slide-001", "slide-005", "slide-002", "slide-004"]
        let all = try ShardFixture.manifest(order, in: scratch, name: "all.csv")
        let single = scratch.file("single")
        let run = try CLI.run(["score", "--manifest", all, "--config", config, "--overlays", "--out", single, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")

        let parts = [Array(order[0..<2]), Array(order[2..<4]), Array(order[4...])]
        var shards: [String] = []
        for (i, part) in parts.enumerated() {
            let manifest = try ShardFixture.manifest(part, in: scratch, name: "shard-\(i).csv")
            let out = scratch.file("shard-\(i)")
            let shard = try CLI.run(["score", "--manifest", manifest, "--config", config, "--overlays", "--out", out, "--quiet", "--jobs", "1"])
            #expect(shard.status == 0, "\(shard.stderr)")
            shards.append(out)
        }
        let merged = scratch.file("merged")
        let merge = try CLI.run(["merge"] + shards + ["--out", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.contains("merged 3 shards: 5 slides, 10 tiles"), "\(merge.stdout)")
        try ShardFixture.expectSameResults(merged, single, overlays: true)

        // report.json records every shard's provenance and the files it was merged from.
        let report = try Results.json(merged + "/report.json")
        #expect(report["schema"] as? String == "ihc-score/report/1")
        let records = try #require(report["shards"] as? [[String: Any]])
        #expect(records.count == 3)
        for (i, record) in records.enumerated() {
            #expect(record["directory"] as? String == shards[i])
            #expect(record["slides"] as? [String] == parts[i])
            #expect((record["invocation"] as? [String])?.contains(shards[i]) == true)
            #expect(record["host"] is String && record["startedAt"] is String && record["finishedAt"] is String)
            #expect(record["parametersSHA256"] as? String == report["parametersSHA256"] as? String)
            let files = try #require(record["files"] as? [String: String])
            #expect(Set(files.keys) == ["slides.csv", "tiles.csv", "cells.csv", "report.json"])
            #expect(files["cells.csv"]?.count == 64)
        }
        #expect((report["invocation"] as? [String])?.contains("merge") == true)
        #expect((report["timings"] as? [String: Any])?["tilesAnalysed"] as? Int == 10)

        // The shards in another order: the merge keeps the order given.
        let reordered = scratch.file("reordered")
        let again = try CLI.run(["merge", shards[2], shards[0], shards[1], "--out", reordered, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Results.column(Results.table(reordered + "/slides.csv"), "slide") == parts[2] + parts[0] + parts[1])

        // The merged folder carries the shards' saved state: a --resume run into it reuses every slide.
        let resumed = try CLI.run(["score", "--manifest", all, "--config", config, "--overlays", "--out", merged, "--quiet", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("5 resumed"), "\(resumed.stdout)")
        #expect(Results.bytes(single + "/cells.csv") == Results.bytes(merged + "/cells.csv"))
    }

    @Test("merge --controls checks the controls over the merged slides as score --controls does over one run: same slides.csv, exit 2 and every slide flagged when a control fails")
    func controls() throws {
        let scratch = Scratch()
        let config = try ShardFixture.config(in: scratch)
        let order = ["slide-004", "slide-002"]
        let all = try ShardFixture.manifest(order, in: scratch, name: "all.csv")
        var shards: [String] = []
        for slide in order {
            let manifest = try ShardFixture.manifest([slide], in: scratch, name: slide + ".csv")
            let run = try CLI.run(["score", "--manifest", manifest, "--config", config, "--out", scratch.file(slide), "--quiet", "--jobs", "1"])
            #expect(run.status == 0, "\(run.stderr)")
            shards.append(scratch.file(slide))
        }
        // Each control labelled with the score it gets, then one labelled wrongly.
        let scores = try Results.column(Results.table(shards[0] + "/slides.csv"), "score")
        let passing = scratch.file("pass.csv"), failing = scratch.file("fail.csv")
        try "slide,score\nslide-004,\(scores[0])\n".write(toFile: passing, atomically: true, encoding: .utf8)
        try "slide,score\nslide-004,\(scores[0] == "3+" ? "0" : "3+")\n".write(toFile: failing, atomically: true, encoding: .utf8)
        for (labels, status) in [(passing, Int32(0)), (failing, Int32(2))] {
            let single = scratch.file("single-\(status)"), merged = scratch.file("merged-\(status)")
            let run = try CLI.run(["score", "--manifest", all, "--config", config, "--out", single, "--quiet", "--controls", labels])
            #expect(run.status == status, "\(run.stderr)")
            let merge = try CLI.run(["merge"] + shards + ["--out", merged, "--controls", labels])
            #expect(merge.status == status, "\(merge.stderr)")
            #expect(Results.bytes(single + "/slides.csv") == Results.bytes(merged + "/slides.csv"))
            let flags = try Results.column(Results.table(merged + "/slides.csv"), "flags")
            #expect(flags.allSatisfy { $0.contains("controls-failed") } == (status == 2), "\(flags)")
            #expect((try Results.json(merged + "/report.json")["options"] as? [String: Any])?["controls"] as? String == labels)
        }
        // Shards scored with --controls are refused: a shard is not a whole run.
        let manifest = try ShardFixture.manifest(["slide-001"], in: scratch, name: "c.csv")
        let checked = scratch.file("checked")
        _ = try CLI.run(["score", "--manifest", manifest, "--config", config, "--out", checked, "--quiet", "--controls", passing])
        let refused = try CLI.run(["merge", shards[0], checked, "--out", scratch.file("never")])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("was run with --controls"), "\(refused.stderr)")
    }

    @Test("shards scored with other parameters, a slide in two shards, a folder that is not a finished run and the output among the shards are refused (exit 64), writing nothing")
    func refusals() throws {
        let scratch = Scratch()
        let config = try ShardFixture.config(in: scratch)
        func score(_ slides: [String], _ name: String, _ extra: [String] = []) throws -> String {
            let manifest = try ShardFixture.manifest(slides, in: scratch, name: name + ".csv")
            let out = scratch.file(name)
            let run = try CLI.run(["score", "--manifest", manifest, "--out", out, "--quiet", "--jobs", "1"] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            return out
        }
        let a = try score(["slide-001"], "a", ["--config", config])
        let b = try score(["slide-002"], "b")  // default parameters: minimumTumourCells 100
        let c = try score(["slide-001"], "c", ["--config", config])
        let d = try score(["slide-002"], "d", ["--config", config, "--rules", "breast-2007"])
        let out = scratch.file("merged")

        let parameters = try CLI.run(["merge", a, b, "--out", out])
        #expect(parameters.status == 64)
        #expect(parameters.stderr.contains("\(a) and \(b) were run with different parameters"), "\(parameters.stderr)")
        #expect(parameters.stderr.contains("rules.minimumTumourCells 10 vs 100"), "\(parameters.stderr)")

        let rules = try CLI.run(["merge", a, d, "--out", out])
        #expect(rules.status == 64)
        #expect(rules.stderr.contains("different rule sets: breast-2018 vs breast-2007"), "\(rules.stderr)")

        let twice = try CLI.run(["merge", a, c, "--out", out])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("slide 'slide-001' is in two shards: \(a) and \(c)"), "\(twice.stderr)")

        let missing = try CLI.run(["merge", a, scratch.file("nothing"), "--out", out])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no report.json"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "a refused merge wrote \(out)")

        let into = try CLI.run(["merge", a, "--out", a])
        #expect(into.status == 64)
        #expect(into.stderr.contains("is one of the shards"), "\(into.stderr)")

        // A shard a run is writing into (its lock held, as `score` holds it) is refused; the output folder too.
        let held = open(a + "/.state/lock", O_RDWR)
        #expect(held >= 0)
        #expect(flock(held, LOCK_EX | LOCK_NB) == 0)
        let busy = try CLI.run(["merge", a, "--out", out])
        #expect(busy.status == 64)
        #expect(busy.stderr.contains("an ihc-score run is writing into it"), "\(busy.stderr)")
        flock(held, LOCK_UN)
        close(held)
        let merging = try CLI.run(["merge", c, "--out", out, "--quiet"])
        #expect(merging.status == 0, "\(merging.stderr)")
        let outLock = open(out + "/.state/lock", O_RDWR)
        #expect(flock(outLock, LOCK_EX | LOCK_NB) == 0)
        let locked = try CLI.run(["merge", c, "--out", out])
        #expect(locked.status == 74, "\(locked.stderr)")
        flock(outLock, LOCK_UN)
        close(outLock)
        try FileManager.default.removeItem(atPath: out)

        // A shard whose cells.csv is not its report's (another run's file copied in) is refused too.
        try FileManager.default.removeItem(atPath: c + "/cells.csv")
        try FileManager.default.copyItem(atPath: b + "/cells.csv", toPath: c + "/cells.csv")
        let mixed = try CLI.run(["merge", c, "--out", out])
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("cells.csv"), "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/slides.csv"))
    }
}
