import Foundation
import StainScore
import Testing

@Suite("ihc-score validate with point truth (end to end)")
struct ValidatePointsCommandTests {
    /// A hand-made point dataset and scoring output in `scratch`:
    ///
    ///     data/images/            (SLIDES_DIR; empty: the sizes come from tiles.csv)
    ///     data/points.csv         a.png: (30,30) positive, (50,50) negative, (10,50) negative; b.png: (40,40) til
    ///     data/instances/a_inst.png   16-bit, nucleus 100 at x 48…55, y 48…55 (8-bit rounding would make it 0)
    ///     out/slides.csv, tiles.csv (100 × 100 at 0.5 µm/px), cells.csv
    ///
    /// At 0.5 µm/px the radius is 8 px and the margin 16 px. Cells of a.png: (33,34) tumour,
    /// (53,54) excluded, (50,44) tumour, (70,30) tumour; b.png has none.
    /// Recall: (30,30)–(33,34) 5 px ✓ tumour. (50,50): (53,54) at 5 px and (50,44) at 6 px
    /// compete; the nearer, excluded, wins → found, not as tumour. (10,50) is left out (x < 16).
    /// (40,40) on b: nothing. → negative 1/1/0, positive 1/1/1, til 1/0/0; all 3 points, 2, 1.
    /// Precision (a.png only: b has no mask): (33,34) within 5 px of a point ✓; (53,54) on the
    /// nucleus ✓; (50,44) 6 px from (50,50) ✓; (70,30) nothing ✗ → tumour 2/3, all 3/4.
    static func dataset(_ scratch: Scratch, mpp: Bool = true) throws -> (images: String, results: String) {
        let data = scratch.file("data"), out = scratch.file("out")
        for dir in [data + "/images", data + "/instances", out] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try "image,x,y,label\na.png,30,30,positive\na.png,50,50,negative\na.png,10,50,negative\nb.png,40,40,til\n"
            .write(toFile: data + "/points.csv", atomically: true, encoding: .utf8)
        var rows = [UInt8](repeating: 0, count: 200 * 100)
        for y in 48...55 { for x in 48...55 { rows[y * 200 + 2 * x + 1] = 100 } }
        try ImageWriter.writePNG(packedRows: rows, width: 100, height: 100, encoding: PNGEncoding(colorType: .grey, bitDepth: 16),
                                 to: data + "/instances/a_inst.png")
        try "slide,score\na.png,1+\nb.png,0\n".write(toFile: out + "/slides.csv", atomically: true, encoding: .utf8)
        let pixel = mpp ? "0.5000" : ""
        try "slide,tile,path,width,height,mpp,error\na.png,a.png,a.png,100,100,\(pixel),\nb.png,b.png,b.png,100,100,\(pixel),\n"
            .write(toFile: out + "/tiles.csv", atomically: true, encoding: .utf8)
        try """
            slide,tile,x,y,kind,class
            a.png,a.png,33.00,34.00,tumour,2
            a.png,a.png,53.00,54.00,excluded,0
            a.png,a.png,50.00,44.00,tumour,1
            a.png,a.png,70.00,30.00,tumour,0

            """.write(toFile: out + "/cells.csv", atomically: true, encoding: .utf8)
        return (data + "/images", out)
    }

    @Test("points.csv and instances/ found beside SLIDES_DIR: table and JSON figures")
    func defaults() throws {
        let scratch = Scratch()
        let (images, results) = try Self.dataset(scratch)
        let run = try CLI.run(["validate", images, "--results", results, "--json", scratch.file("report.json")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("point validation: 2 truth images, 2 compared"))
        #expect(run.stdout.contains("1 points nearer than 8.0 µm to the image edge left out"))
        #expect(run.stdout.contains("precision over 1 image(s)"))
        #expect(run.stderr.contains("no mask for 1 image(s) (b.png)"))
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("negative 1 1 0 1.000 0.000"))
        #expect(lines.contains("positive 1 1 1 1.000 1.000"))
        #expect(lines.contains("til 1 0 0 0.000 0.000"))
        #expect(lines.contains("all 3 2 1 0.667 0.333"))
        #expect(lines.contains("tumour 3 2 0.667"))
        #expect(lines.contains("all 4 3 0.750"))

        let data = try #require(FileManager.default.contents(atPath: scratch.file("report.json")))
        let report = try JSONDecoder().decode(PointValidationReport.self, from: data)
        #expect(report.labels == [PointLabelFigures(label: "negative", points: 1, found: 1, foundTumour: 0),
                                  PointLabelFigures(label: "positive", points: 1, found: 1, foundTumour: 1),
                                  PointLabelFigures(label: "til", points: 1, found: 0, foundTumour: 0)])
        #expect(report.pointsLeftOutAtBorder == 1)
        let p = try #require(report.precision)
        #expect(p.tumourCells == 3 && p.tumourCellsOnNuclei == 2 && p.cells == 4 && p.cellsOnNuclei == 3)
        #expect(report.images.map(\.image) == ["a.png", "b.png"] && report.images.map(\.mpp) == [0.5, 0.5])
        #expect(report.inputs.points?.hasSuffix("data/points.csv") == true)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"foundFraction\"") && json.contains("\"tumourPrecision\""))
    }

    @Test("explicit --points and --mpp; a larger radius; instances given or absent")
    func explicit() throws {
        let scratch = Scratch()
        let (images, results) = try Self.dataset(scratch, mpp: false)
        // No pixel size anywhere: the images cannot be compared (exit 2, the report still printed).
        let none = try CLI.run(["validate", images, "--results", results])
        #expect(none.status == 2)
        #expect(none.stderr.contains("pixel size unknown") && none.stderr.contains("use --mpp"))
        #expect(none.stdout.contains("point validation: 2 truth images, 0 compared"))

        // --mpp 0.25: radius 16 px, margin 32 px: (30,30) and (10,50) are left out, (50,50) kept;
        // (53,54) still wins it. b's (40,40) is kept, nothing near.
        let run = try CLI.run(["validate", images, "--results", results, "--points", scratch.file("data/points.csv"),
                               "--mpp", "0.25", "--instances", scratch.file("out"), "--json", scratch.file("r.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(PointValidationReport.self,
                                              from: try #require(FileManager.default.contents(atPath: scratch.file("r.json"))))
        #expect(report.total == PointLabelFigures(label: "all", points: 2, found: 1, foundTumour: 0))
        #expect(report.pointsLeftOutAtBorder == 2)
        #expect(report.precision == nil, "out/ holds no masks")

        let missing = try CLI.run(["validate", images, "--results", results, "--mpp", "0.5", "--instances", scratch.file("nowhere")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere: no such folder"))
    }

    @Test("bad point CSVs and images without predictions: exit 2 naming the file")
    func failures() throws {
        let scratch = Scratch()
        let (images, results) = try Self.dataset(scratch)
        let bad = scratch.file("bad.csv")
        try "image,x,y,label\na.png,30,30,positive\na.png,3O,30,negative\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let run = try CLI.run(["validate", images, "--results", results, "--points", bad])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(bad):3: x '3O' is not a number"))

        try "image,x,y\na.png,30,30\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let columns = try CLI.run(["validate", images, "--results", results, "--points", bad])
        #expect(columns.status == 2)
        #expect(columns.stderr.contains("\(bad):1: no column named 'label'"))

        let extra = scratch.file("extra.csv")
        try "image,x,y,label\na.png,30,30,positive\nc.png,50,50,negative\n".write(toFile: extra, atomically: true, encoding: .utf8)
        let lost = try CLI.run(["validate", images, "--results", results, "--points", extra])
        #expect(lost.status == 2)
        #expect(lost.stderr.contains("1 truth image(s) have no prediction: c.png"))
        #expect(lost.stdout.contains("missing predictions: c.png"))

        let mixed = try CLI.run(["validate", images, "--results", results, "--points", extra, "--labels", extra])
        #expect(mixed.status == 64)
    }
}
