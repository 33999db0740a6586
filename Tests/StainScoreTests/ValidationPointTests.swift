import Foundation
import StainScore
import Testing

@Suite("Validation: point truth (reader, matching, precision, validator)")
struct ValidationPointTests {
    // MARK: Reader

    @Test("image,x,y,label is read; extra columns ignored; file accepted for image")
    func reads() throws {
        let text = "image,x,y,label,note\n0.png,286,9,positive,a\n\"dir/1.png\",14.2,128.5,til,\n"
        let points = try PointTruthReader.parse(CSVTable(text: text, path: "points.csv"))
        #expect(points == [TruthPoint(image: "0.png", x: 286, y: 9, label: "positive"),
                           TruthPoint(image: "dir/1.png", x: 14.2, y: 128.5, label: "til")])
        let other = try PointTruthReader.parse(CSVTable(text: "label,y,x,file\nnegative,2,1,a.jpg\n", path: "p.csv"))
        #expect(other == [TruthPoint(image: "a.jpg", x: 1, y: 2, label: "negative")])
    }

    @Test("bad point CSVs name the file, the line and the problem")
    func readerErrors() {
        func failure(_ text: String) -> String? {
            do { _ = try PointTruthReader.parse(CSVTable(text: text, path: "points.csv")) } catch { return "\(error)" }
            return nil
        }
        #expect(failure("image,x,y\n0.png,1,2\n")?.hasPrefix("points.csv:1: no column named 'label' in the header (image,x,y)") == true)
        #expect(failure("x,y,label\n1,2,til\n")?.hasPrefix("points.csv:1: no column named 'image' or 'file'") == true)
        #expect(failure("image,x,y,label\n0.png,1,2,til\n0.png,abc,2,til\n") == "points.csv:3: x 'abc' is not a number")
        #expect(failure("image,x,y,label\n0.png,1,inf,til\n") == "points.csv:2: y 'inf' is not a number")
        #expect(failure("image,x,y,label\n0.png,1,,til\n") == "points.csv:2: y is empty")
        #expect(failure("image,x,y,label\n0.png,1,2,\n") == "points.csv:2: label is empty")
        #expect(failure("image,x,y,label\n,1,2,til\n") == "points.csv:2: image is empty")
        #expect(failure("image,x,y,label\n") == nil, "a header alone is no points, not an error")
    }

    @Test("file stems as os.path.splitext(basename) makes them")
    func stems() {
        #expect(TruthPoint.stem("0.png") == "0")
        #expect(TruthPoint.stem("a/b/test_22_2.png") == "test_22_2")
        #expect(TruthPoint.stem("p1_0299_1.jpg") == "p1_0299_1")
        #expect(TruthPoint.stem("core.01.tif") == "core.01")
        #expect(TruthPoint.stem("noext") == "noext")
        #expect(TruthPoint.stem(".hidden") == ".hidden")
        #expect(TruthPoint.stem("..a.png") == "..a")
    }

    // MARK: Matching (recall)

    /// A 100 × 100 image, radius 8 px, margin 16 px (4 µm and 8 µm at 0.5 µm/px).
    ///
    /// Points (index in the array, label):            Cells (index, kind):
    ///   P0 (30,30) positive                            C0 (33,34) tumour
    ///   P1 (50,50) negative                            C1 (53,54) tumour
    ///   P2 (44,40) negative                            C2 (50,44) excluded
    ///   P3 (10,50) positive  — x < 16: left out        C3 (72,80) excluded
    ///   P4 (70,80) til                                 C4 (70,86) tumour
    ///   P5 (84,50) positive  — x ≥ 100 − 16: left out  C5 (26,70) tumour
    ///   P6 (16,40) negative  — x = 16: kept            C6 (34,70) excluded
    ///   P7 (30,70) negative                            C7 (16,48) tumour
    ///   P8 (60,25) positive                            C8 (11,50) tumour (beside the left-out P3)
    ///
    /// Candidate pairs (distance ≤ 8), by increasing distance:
    ///   P4–C3 2 ✓; P7–C5 4 ✓ and P7–C6 4 (tie: same point, lower cell index C5 first; C6 then
    ///   finds P7 taken); P0–C0 5 ✓ (√(9+16)); P1–C1 5 ✓ (√(9+16)); P1–C2 6 ✗ (P1 taken: C1 and C2
    ///   competed for P1, the nearer won); P4–C4 6 ✗ (P4 taken); P2–C2 √52 ≈ 7.21 ✓ (the loser of
    ///   P1 takes P2); P6–C7 8 ✓ (exactly the radius counts). P8 has no cell within 8; C8 is 1 px
    ///   from P3, which is left out, so C8 stays unmatched.
    /// Per label: positive 2 kept (P0, P8), found 1 (P0–C0, tumour) → 1 as tumour;
    ///   negative 4 (P1, P2, P6, P7), found 4: C1 T, C2 E, C7 T, C5 T → 3 as tumour;
    ///   til 1 (P4), found 1 by C3 (excluded) → 0 as tumour. Left out at the border: 2.
    static let points: [TruthPoint] = [
        (30, 30, "positive"), (50, 50, "negative"), (44, 40, "negative"), (10, 50, "positive"), (70, 80, "til"),
        (84, 50, "positive"), (16, 40, "negative"), (30, 70, "negative"), (60, 25, "positive"),
    ].map { TruthPoint(image: "i.png", x: $0.0, y: $0.1, label: $0.2) }
    static let cells: [PredictedCell] = [
        (33, 34, CellKind.tumour), (53, 54, .tumour), (50, 44, .excluded), (72, 80, .excluded), (70, 86, .tumour),
        (26, 70, .tumour), (34, 70, .excluded), (16, 48, .tumour), (11, 50, .tumour),
    ].map { PredictedCell(tile: "i.png", x: $0.0, y: $0.1, kind: $0.2, cellClass: .zero) }

    @Test("hand-worked example: border, one-to-one, nearest first, ties, radius inclusive")
    func handWorked() {
        let tally = PointMatching.recall(points: Self.points, cells: Self.cells, width: 100, height: 100,
                                         radiusPixels: 8, marginPixels: 16)
        #expect(tally.leftOutAtBorder == 2)
        #expect(tally.labels == [PointLabelFigures(label: "negative", points: 4, found: 4, foundTumour: 3),
                                 PointLabelFigures(label: "positive", points: 2, found: 1, foundTumour: 1),
                                 PointLabelFigures(label: "til", points: 1, found: 1, foundTumour: 0)])
        #expect(tally.total == PointLabelFigures(label: "all", points: 7, found: 6, foundTumour: 4))
        #expect(tally.total.foundFraction == 6.0 / 7 && tally.total.foundTumourFraction == 4.0 / 7)

        // The pairs themselves, on the kept points (P0 P1 P2 P4 P6 P7 P8 → 0…6), in acceptance order.
        let kept = Self.points.filter { PointMatching.isInside(x: $0.x, y: $0.y, width: 100, height: 100, margin: 16) }
        let matches = PointMatching.greedy(points: kept.map { .init(x: $0.x, y: $0.y) },
                                           cells: Self.cells.map { .init(x: $0.x, y: $0.y) }, radius: 8)
        #expect(matches.map { [$0.truth, $0.prediction] } == [[3, 3], [5, 5], [0, 0], [1, 1], [2, 2], [4, 7]])
        #expect(matches.map(\.distance) == [2, 4, 5, 5, 52.0.squareRoot(), 8])
    }

    @Test("the border rule: margin ≤ x < width − margin, same for y")
    func border() {
        #expect(PointMatching.isInside(x: 16, y: 16, width: 100, height: 100, margin: 16))
        #expect(!PointMatching.isInside(x: 15.99, y: 50, width: 100, height: 100, margin: 16))
        #expect(PointMatching.isInside(x: 83.99, y: 83.99, width: 100, height: 100, margin: 16))
        #expect(!PointMatching.isInside(x: 50, y: 84, width: 100, height: 100, margin: 16))
        #expect(!PointMatching.isInside(x: 50, y: 50, width: 0, height: 0, margin: 0), "an image of unknown size keeps nothing")
    }

    @Test("no cells, no points, zero radius")
    func degenerate() {
        let none = PointMatching.recall(points: Self.points, cells: [], width: 100, height: 100, radiusPixels: 8, marginPixels: 16)
        #expect(none.total == PointLabelFigures(label: "all", points: 7, found: 0, foundTumour: 0))
        #expect(PointMatching.greedy(points: [], cells: [.init(x: 1, y: 1)], radius: 8).isEmpty)
        #expect(PointMatching.greedy(points: [.init(x: 1, y: 1)], cells: [.init(x: 1, y: 1)], radius: 0).count == 1)
        #expect(PointLabelFigures(label: "x").foundFraction == nil)
    }

    // MARK: Precision

    /// 100 × 100 mask, radius 8, margin 16: nucleus 300 (above 8 bits) fills x 40…49, y 40…49;
    /// nucleus 7 fills x 60…64, y 60…64. Truth points (30,70) and (90,50) (the latter outside the
    /// margin: still a nucleus a cell may sit on).
    /// Cells: A (45.2,44.6) T → pixel (45,45) in 300: right. B (49.5,45) E → 49.5 rounds to 50,
    /// outside the nucleus, no point near: wrong. C (64.4,64.4) T → (64,64) in 7: right.
    /// D (35,75) T → no nucleus, √50 ≈ 7.07 from (30,70): right. E (80,50) E → 10 from (90,50):
    /// wrong. F (20,20) T: wrong. G (10,50) T: x < 16, left out. H (83.9,50) E → 6.1 from (90,50):
    /// right (83.9 < 84: kept).
    /// Tumour: A C D F kept, A C D right → 3/4. All: A B C D E F H kept, A C D H right → 4/7.
    @Test("hand-worked precision: mask at the rounded centre, or a point within the radius")
    func precision() {
        var mask = Plane<UInt16>(width: 100, height: 100, repeating: 0)
        for y in 40...49 { for x in 40...49 { mask[x, y] = 300 } }
        for y in 60...64 { for x in 60...64 { mask[x, y] = 7 } }
        let points = [TruthPoint(image: "m.png", x: 30, y: 70, label: "negative"),
                      TruthPoint(image: "m.png", x: 90, y: 50, label: "negative")]
        let cells = [(45.2, 44.6, CellKind.tumour), (49.5, 45, .excluded), (64.4, 64.4, .tumour), (35, 75, .tumour),
                     (80, 50, .excluded), (20, 20, .tumour), (10, 50, .tumour), (83.9, 50, .excluded)]
            .map { PredictedCell(tile: "m.png", x: $0.0, y: $0.1, kind: $0.2, cellClass: .zero) }
        let p = PointMatching.precision(cells: cells, points: points, instances: mask, radiusPixels: 8, marginPixels: 16)
        #expect(p.images == 1 && p.leftOutAtBorder == 1)
        #expect(p.tumourCells == 4 && p.tumourCellsOnNuclei == 3 && p.tumourPrecision == 0.75)
        #expect(p.cells == 7 && p.cellsOnNuclei == 4 && p.cellPrecision == 4.0 / 7)
    }

    // MARK: Validator

    static func prediction(_ slide: String, tile: String? = nil, cells: [(Double, Double, CellKind)]?,
                           extent: TileExtent? = TileExtent(width: 100, height: 100, mpp: 0.5)) -> SlidePrediction {
        let name = tile ?? slide
        return SlidePrediction(slide: slide, score: .zero,
                               cells: cells?.map { PredictedCell(tile: name, x: $0.0, y: $0.1, kind: $0.2, cellClass: .zero) },
                               tiles: extent.map { [name: $0] } ?? [:])
    }

    @Test("images pair with tiles by stem; pixel size from the tiles unless --mpp; missing and uncompared images listed")
    func validator() throws {
        let points = [TruthPoint(image: "a.png", x: 30, y: 30, label: "positive"),
                      TruthPoint(image: "b.jpg", x: 50, y: 50, label: "negative"),
                      TruthPoint(image: "c.png", x: 50, y: 50, label: "negative"),
                      TruthPoint(image: "d.png", x: 50, y: 50, label: "negative")]
        let predictions = [
            Self.prediction("a.png", cells: [(33, 34, .tumour)]),                 // 5 px away
            Self.prediction("b.png", cells: [(50, 56, .excluded)]),               // 6 px away, another extension
            Self.prediction("d.png", cells: [], extent: TileExtent(width: 100, height: 100, mpp: nil)),
        ]
        let report = try PointValidator().validate(points: points, predictions: predictions)
        #expect(report.truthImages == 4 && report.comparedImages == 2)
        #expect(report.missingPredictions == ["c.png"])
        #expect(report.notCompared == ["d.png"])
        #expect(report.warnings.contains { $0.hasPrefix("d.png: pixel size unknown") })
        #expect(report.labels == [PointLabelFigures(label: "negative", points: 1, found: 1, foundTumour: 0),
                                  PointLabelFigures(label: "positive", points: 1, found: 1, foundTumour: 1)])
        #expect(report.images.map(\.slide) == ["a.png", "b.png"] && report.images.allSatisfy { $0.mpp == 0.5 })
        #expect(report.precision == nil)

        // --mpp 1: radius 4 px, so a's cell (5 px away) and b's (6 px) are both lost; the 8 px
        // margin keeps every point. d is compared now (its tile need not give a pixel size).
        let user = try PointValidator(mpp: 1).validate(points: points, predictions: predictions)
        #expect(user.notCompared.isEmpty && user.comparedImages == 3)
        #expect(user.total == PointLabelFigures(label: "all", points: 3, found: 0, foundTumour: 0))
        #expect(user.warnings.contains { $0.hasPrefix("--mpp 1.0 differs from the pixel size the scorer used for 2 image(s)") })
    }

    @Test("two scored tiles with one stem are refused; a slide without tiles stands for its file")
    func pairing() throws {
        let points = [TruthPoint(image: "t.png", x: 50, y: 50, label: "x")]
        let twice = [Self.prediction("s1", tile: "t.png", cells: []), Self.prediction("s2", tile: "t.png", cells: [])]
        #expect(throws: InputFileError.self) { try PointValidator().validate(points: points, predictions: twice) }

        // No tile sizes, no cells: the slide is its file; its size comes from the lookup.
        let bare = [Self.prediction("t.png", cells: [], extent: nil)]
        let report = try PointValidator(mpp: 0.5).validate(points: points, predictions: bare) { slide, tile in
            slide == "t.png" && tile == "t.png" ? TileExtent(width: 100, height: 100) : nil
        }
        #expect(report.comparedImages == 1 && report.total.points == 1 && report.total.found == 0)
        let unknown = try PointValidator(mpp: 0.5).validate(points: points, predictions: bare)
        #expect(unknown.notCompared == ["t.png"])
        let noCells = try PointValidator(mpp: 0.5).validate(points: points, predictions: [Self.prediction("t.png", cells: nil)])
        #expect(noCells.notCompared == ["t.png"])
    }

    @Test("instance masks: precision on images that have one, a size mismatch refused")
    func masks() throws {
        let dir = NSTemporaryDirectory() + "/validation-masks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // a_inst.png: 100 × 100, 16-bit, nucleus 1000 at x 40…59, y 40…59.
        var rows = [UInt8](repeating: 0, count: 200 * 100)
        for y in 40..<60 { for x in 40..<60 { rows[y * 200 + 2 * x] = 0x03; rows[y * 200 + 2 * x + 1] = 0xE8 } }
        try ImageWriter.writePNG(packedRows: rows, width: 100, height: 100,
                                 encoding: PNGEncoding(colorType: .grey, bitDepth: 16), to: dir + "/a_inst.png")
        let points = [TruthPoint(image: "a.png", x: 30, y: 30, label: "p"), TruthPoint(image: "b.png", x: 30, y: 30, label: "p")]
        let predictions = [Self.prediction("a.png", cells: [(50, 50, .tumour), (70, 70, .excluded)]),
                           Self.prediction("b.png", cells: [(50, 50, .tumour)])]
        let masks = InstanceMasks(directory: dir)
        let report = try PointValidator().validate(points: points, predictions: predictions, instances: masks)
        let p = try #require(report.precision)
        #expect(p.images == 1 && p.tumourCells == 1 && p.tumourCellsOnNuclei == 1 && p.cells == 2 && p.cellsOnNuclei == 1)
        #expect(report.images[0].precision == p && report.images[1].precision == nil)
        #expect(report.warnings.contains { $0.contains("no mask for 1 image(s) (b.png)") })

        let small = [Self.prediction("a.png", cells: [], extent: TileExtent(width: 120, height: 100, mpp: 0.5))]
        #expect(throws: InputFileError.self) { try PointValidator().validate(points: points, predictions: small, instances: masks) }
    }

    @Test("results tiles.csv: sizes and pixel sizes; failed tiles left out")
    func tilesCSV() throws {
        let text = """
            slide,tile,path,width,height,mpp,mpp_source,error
            a.png,a.png,/x/a.png,640,480,0.2500,user,
            b.png,b.png,/x/b.png,0,0,,,cannot read
            c.png,c.png,/x/c.png,64,64,,,

            """
        let tiles = try PredictionReader.parseTiles(CSVTable(text: text, path: "tiles.csv"))
        #expect(tiles == ["a.png": ["a.png": TileExtent(width: 640, height: 480, mpp: 0.25)],
                          "c.png": ["c.png": TileExtent(width: 64, height: 64)]])
        #expect(throws: InputFileError.self) {
            try PredictionReader.parseTiles(CSVTable(text: "slide,tile,width,height\na,a,x,2\n", path: "tiles.csv"))
        }
    }

    @Test("the JSON carries the fractions; nil ones are left out")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let f = String(decoding: try encoder.encode(PointLabelFigures(label: "til", points: 4, found: 2, foundTumour: 1)), as: UTF8.self)
        #expect(f == #"{"found":2,"foundFraction":0.5,"foundTumour":1,"foundTumourFraction":0.25,"label":"til","points":4}"#)
        let empty = String(decoding: try encoder.encode(PointLabelFigures(label: "x")), as: UTF8.self)
        #expect(empty == #"{"found":0,"foundTumour":0,"label":"x","points":0}"#)
        let back = try JSONDecoder().decode(PointLabelFigures.self, from: Data(f.utf8))
        #expect(back == PointLabelFigures(label: "til", points: 4, found: 2, foundTumour: 1))
    }
}
