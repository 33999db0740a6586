import Foundation
import StainScore
import Testing

@Suite("ihc-score synth (end to end)")
struct SynthCommandTests {
    static func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func files(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDir), !isDir.boolValue {
                out[f] = FileManager.default.contents(atPath: dir + "/" + f)
            }
        }
        return out
    }

    @Test("writes tiles, labels.csv, cells.csv and synth.json that agree with each other")
    func outputs() throws {
        let scratch = Scratch()
        let out = scratch.file("v")
        let r = try CLI.run(["synth", out, "--slides", "5", "--tiles-per-slide", "2", "--size", "192", "--seed", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let labels = try Self.rows(out + "/labels.csv")
        #expect(labels.first?.joined(separator: ",") == "slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp")
        #expect(labels.count == 6)
        let cells = try Self.rows(out + "/cells.csv")
        #expect(cells.first?.joined(separator: ",") == "slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um")
        // mixed: five slides carry every category.
        #expect(Set(labels.dropFirst().map { $0[2] }) == ["null", "ultralow", "low", "equivocal", "positive"])
        for label in labels.dropFirst() {
            let slide = label[0]
            for t in ["tile-000.png", "tile-001.png"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(slide)/\(t)"))
            }
            let tumour = cells.dropFirst().filter { $0[0] == slide && $0[4] == "tumour" }
            #expect(Int(label[6]) == tumour.count)
            func pct(_ minimum: Int) -> Double { 100 * Double(tumour.filter { Int($0[5])! >= minimum }.count) / Double(tumour.count) }
            #expect(abs(pct(1) - Double(label[3])!) < 0.01 && abs(pct(2) - Double(label[4])!) < 0.01 && abs(pct(3) - Double(label[5])!) < 0.01)
            #expect(label[7] == "breast-2018" && label[8] == "0.500")
        }
        for row in cells.dropFirst() {
            #expect(row.count == 9)
            #expect(["tumour", "lymphocyte", "fibroblast"].contains(row[4]))
            let x = Double(row[2])!, y = Double(row[3])!
            #expect(x >= 0 && x < 192 && y >= 0 && y < 192)
            if row[4] != "tumour" { #expect(row[5] == "0") }
        }
        let json = try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: out + "/synth.json")!) as! [String: Any]
        #expect(json["version"] as? String == StainScoreVersion.version)
        #expect((json["slides"] as? [Any])?.count == 5)
        // The pixel size is in the tile's metadata.
        let info = try CLI.run(["info", out + "/slide-001/tile-000.png"])
        #expect(info.stdout.contains("0.5 µm/px"), "\(info.stdout)")
    }

    @Test("same seed → byte-identical files; another seed → other tiles; a slide does not depend on --slides")
    func determinism() throws {
        let scratch = Scratch()
        let common = ["--tiles-per-slide", "1", "--size", "256", "--format", "jpeg"]
        for (name, extra) in [("a", ["--slides", "2", "--seed", "9"]), ("b", ["--slides", "2", "--seed", "9"]),
                              ("c", ["--slides", "2", "--seed", "10"]), ("d", ["--slides", "1", "--seed", "9"])] {
            let r = try CLI.run(["synth", scratch.file(name)] + common + extra)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = Self.files(scratch.file("a")), b = Self.files(scratch.file("b")), c = Self.files(scratch.file("c")), d = Self.files(scratch.file("d"))
        #expect(a.count == 5 && a == b)
        #expect(a["slide-001/tile-000.jpg"] != c["slide-001/tile-000.jpg"])
        #expect(a["slide-001/tile-000.jpg"] == d["slide-001/tile-000.jpg"])
    }

    @Test("--percent-3plus 12 gives 12% 3+ cells in cells.csv (within half a cell)")
    func nearCutoff() throws {
        let scratch = Scratch()
        let r = try CLI.run(["synth", scratch.file("p"), "--slides", "2", "--tiles-per-slide", "2", "--size", "256", "--percent-3plus", "12", "--clean"])
        #expect(r.status == 0, "\(r.stderr)")
        let cells = try Self.rows(scratch.file("p") + "/cells.csv").dropFirst()
        for slide in ["slide-001", "slide-002"] {
            let tumour = cells.filter { $0[0] == slide && $0[4] == "tumour" }
            let share = 100 * Double(tumour.filter { $0[5] == "3" }.count) / Double(tumour.count)
            #expect(abs(share - 12) <= 50 / Double(tumour.count), "\(slide): \(share)% of \(tumour.count)")
        }
    }

    @Test("--style realistic: one small slide, the same truth files, byte-identical again; validate reads it")
    func realistic() throws {
        let scratch = Scratch()
        let args = ["--style", "realistic", "--slides", "1", "--tiles-per-slide", "1", "--size", "512", "--seed", "3",
                    "--score", "2+", "--format", "jpeg"]
        for name in ["r", "again"] {
            let r = try CLI.run(["synth", scratch.file(name)] + args)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let out = scratch.file("r")
        #expect(Self.files(out) == Self.files(scratch.file("again")))
        #expect(FileManager.default.fileExists(atPath: out + "/slide-001/tile-000.jpg"))
        let labels = try Self.rows(out + "/labels.csv")
        #expect(labels.count == 2 && labels[1][1] == "2+")
        let cells = try Self.rows(out + "/cells.csv")
        #expect(cells.first?.joined(separator: ",") == "slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um")
        let tumour = cells.dropFirst().filter { $0[4] == "tumour" }
        #expect(Int(labels[1][6]) == tumour.count && tumour.count > 20)
        #expect(cells.dropFirst().contains { $0[4] == "lymphocyte" })
        for row in cells.dropFirst() where row[4] != "tumour" { #expect(row[5] == "0") }
        let json = try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: out + "/synth.json")!) as! [String: Any]
        #expect((json["configuration"] as? [String: Any])?["style"] as? String == "realistic")
        let slide = (json["slides"] as? [[String: Any]])?.first
        #expect((slide?["realistic"] as? [String: Any])?["tileArchitectures"] as? [String] != nil)
        // The existing scorer and validator run on it unchanged.
        let results = scratch.file("results")
        let score = try CLI.run(["score", out, "--out", results, "--quiet"])
        #expect(score.status == 0, "\(score.stderr)")
        let validate = try CLI.run(["validate", out, "--results", results])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("precision"), "\(validate.stdout)")
    }

    @Test("bad options exit 64")
    func usage() throws {
        let scratch = Scratch()
        for bad in [["--mpp", "0"], ["--score", "4+"], ["--percent-3plus", "20", "--percent-2plus", "10"], ["--glass", "1,2"],
                    ["--style", "photo"], ["--focus", "0.5"], ["--style", "realistic", "--gradient", "0.7"]] {
            let r = try CLI.run(["synth", scratch.file("x")] + bad)
            #expect(r.status == 64, "\(bad): \(r.stderr)")
        }
    }
}
