import Foundation
import StainScore
import Testing

@Suite("ihc-score score: resume and interrupted runs (end to end)")
struct ScoreResumeTests {
    @Test("--resume skips unchanged slides with identical outputs, and redoes a slide whose tile changed or all after a parameter change")
    func resume() throws {
        let scratch = Scratch()
        let input = try BatchFixture.copy(into: scratch)
        let out = scratch.file("out")
        let first = try CLI.run(["score", input, "--out", out, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = ["slides.csv", "cells.csv", "tiles.csv"].map { Results.bytes(out + "/" + $0) }
        let geojson = Results.files(out, under: "geojson")

        let again = try CLI.run(["score", input, "--out", out, "--quiet", "--resume"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("3 slides: 0 scored, 3 resumed; 6 tiles"), "\(again.stdout)")
        #expect(again.stdout.split(separator: "\n").filter { $0.hasSuffix("(resumed)") }.count == 3)
        // Reused rows: byte-identical files, tiles.csv's timings included.
        #expect(["slides.csv", "cells.csv", "tiles.csv"].map { Results.bytes(out + "/" + $0) } == before)
        #expect(Results.files(out, under: "geojson") == geojson)
        let resumedReport = try Results.json(out + "/report.json")
        #expect((resumedReport["slides"] as? [[String: Any]])?.map { $0["resumed"] as? Bool } == [true, true, true])

        // slide-002's first tile now holds slide-003's first tile: only slide-002 is scored again…
        try FileManager.default.removeItem(atPath: input + "/slide-002/tile-000.png")
        try FileManager.default.copyItem(atPath: input + "/slide-003/tile-000.png", toPath: input + "/slide-002/tile-000.png")
        let changed = try CLI.run(["score", input, "--out", out, "--quiet", "--resume"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("3 slides: 1 scored, 2 resumed"), "\(changed.stdout)")
        let report = try Results.json(out + "/report.json")
        #expect((report["slides"] as? [[String: Any]])?.map { $0["resumed"] as? Bool } == [true, false, true])
        // …and its new cells for that tile are those of the tile it was copied from.
        let cells = try Results.table(out + "/cells.csv")
        let measured = { (slide: String) in
            cells.rows.filter { $0.fields[0] == slide && $0.fields[1] == "tile-000.png" }.map { Array($0.fields[2...14]) }
        }
        #expect(!measured("slide-003").isEmpty)
        #expect(measured("slide-002") == measured("slide-003"))
        let oldRows = String(decoding: before[0]!, as: UTF8.self).split(separator: "\n")
        let newRows = try String(contentsOfFile: out + "/slides.csv", encoding: .utf8).split(separator: "\n")
        #expect(newRows[1] == oldRows[1] && newRows[3] == oldRows[3])

        // Changed parameters: nothing is reused.
        let rules = try CLI.run(["score", input, "--out", out, "--quiet", "--resume", "--rules", "breast-2013"])
        #expect(rules.status == 0)
        #expect(rules.stdout.contains("3 slides: 3 scored, 0 resumed"), "\(rules.stdout)")
        // And without --resume everything is scored even when unchanged.
        let plain = try CLI.run(["score", input, "--out", out, "--quiet", "--rules", "breast-2013"])
        #expect(plain.stdout.contains("3 slides: 3 scored, 0 resumed"), "\(plain.stdout)")
    }

    /// Twelve slides (the three fixture slides, four times over) for runs long enough to stop half-way.
    static func bigBatch(_ scratch: Scratch) throws -> String {
        let input = scratch.file("big")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for copy in 1...4 {
            for slide in BatchFixture.slideNames {
                try FileManager.default.copyItem(atPath: BatchFixture.folder + "/" + slide, toPath: "\(input)/\(slide)-\(copy)")
            }
        }
        return input
    }

    /// Starts a run and kills it (SIGKILL) as soon as it has saved a slide whose summary contains `marker`.
    static func killHalfWay(_ arguments: [String], out: String, marker: String, whileRunning: () throws -> Void = {}) throws {
        let process = try CLI.start(arguments)
        let state = out + "/.state/slides"
        var finishedOne = false
        let deadline = Date().addingTimeInterval(120)
        while !finishedOne && process.isRunning && Date() < deadline {
            usleep(5_000)
            for slide in (try? FileManager.default.contentsOfDirectory(atPath: state)) ?? [] {
                if let data = FileManager.default.contents(atPath: state + "/" + slide + "/summary.json"),
                   String(decoding: data, as: UTF8.self).contains(marker) {
                    finishedOne = true
                }
            }
        }
        #expect(process.isRunning, "the run ended before it could be stopped half-way")
        try whileRunning()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
    }

    static let outputs = ["slides.csv", "tiles.csv", "cells.csv", "report.json", "report.html"]

    @Test("a run killed half-way leaves no file or the previous complete one; the next run cleans up and resumes")
    func killed() throws {
        let scratch = Scratch()
        let input = try Self.bigBatch(scratch)
        let out = scratch.file("out")

        // Killed during the first run into an empty folder: no final-named output at all.
        try Self.killHalfWay(["score", input, "--out", out, "--jobs", "1", "--quiet"], out: out, marker: "\"ruleSet\":\"breast-2018\"") {
            // Meanwhile a second run into the same folder is refused.
            let second = try CLI.run(["score", input, "--out", out, "--quiet"])
            #expect(second.status == 74)
            #expect(second.stderr == "error: \(out): another ihc-score run is writing into this folder\n", "\(second.stderr)")
        }
        for name in Self.outputs { #expect(!FileManager.default.fileExists(atPath: out + "/" + name), "\(name) exists") }
        #expect(!Results.temporaries(out).isEmpty, "the killed run left its temporary files")

        // A complete run: the temporaries are gone, every output parses.
        let complete = try CLI.run(["score", input, "--out", out, "--quiet"])
        #expect(complete.status == 0, "\(complete.stderr)")
        #expect(Results.temporaries(out).isEmpty, "\(Results.temporaries(out))")
        let previous = Self.outputs.map { Results.bytes(out + "/" + $0) }

        // Killed during a run with other parameters: the previous complete files, byte for byte.
        try Self.killHalfWay(["score", input, "--out", out, "--jobs", "1", "--quiet", "--rules", "breast-2013"], out: out,
                             marker: "\"ruleSet\":\"breast-2013\"")
        #expect(Self.outputs.map { Results.bytes(out + "/" + $0) } == previous)
        for name in ["slides.csv", "tiles.csv", "cells.csv"] { #expect(throws: Never.self) { try Results.table(out + "/" + name) } }
        #expect(throws: Never.self) { try Results.json(out + "/report.json") }
        let slides = try Results.table(out + "/slides.csv")
        let ruleSets = try Results.column(slides, "rule_set")
        #expect(slides.rows.count == 12 && ruleSets.allSatisfy { $0 == "breast-2018" })

        // The next run removes what the killed one left and reuses the slides it finished.
        let resumed = try CLI.run(["score", input, "--out", out, "--quiet", "--resume", "--rules", "breast-2013"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(Results.temporaries(out).isEmpty, "\(Results.temporaries(out))")
        let summary = try #require(try Results.json(out + "/report.json")["summary"] as? [String: Any])
        #expect((summary["slidesResumed"] as? Int).map { $0 >= 1 && $0 < 12 } == true, "\(summary)")
        #expect(try Results.column(Results.table(out + "/slides.csv"), "rule_set").allSatisfy { $0 == "breast-2013" })
        #expect(try Results.table(out + "/tiles.csv").rows.count == 24)
    }
}
