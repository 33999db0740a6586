import Foundation
import StainScore
import Testing

@Suite("Slide assembly and the batch runner")
struct BatchRunnerTests {
    static func cell(_ cls: HER2Score, tile: String = "t", x: Double = 10, y: Double = 10) -> CellMeasurement {
        CellMeasurement(tile: tile, x: x, y: y, kind: .tumour, cellClass: cls,
                        membrane: MembraneStaining(intensity: 0.5, completeness: 1, longestArc: 1), membraneMeanOD: 0.4,
                        membraneP90OD: 0.6, membraneThicknessMicrons: 1, cytoplasmOD: 0.02, nucleusAreaMicrons2: 50,
                        cellAreaMicrons2: 200)
    }

    static func tile(_ name: String, cells: [CellMeasurement]) -> TileResult {
        var counts = [0, 0, 0, 0]
        for c in cells { counts[c.cellClass.rawValue] += 1 }
        return TileResult(tile: name, path: name, width: 100, height: 100, pixelSize: PixelSize(micronsPerPixel: 0.5, source: .user),
                          tissueAreaMM2: 0.01, tumourCells: cells.count, excludedCells: 0, classCounts: counts, seconds: 0, error: nil)
    }

    @Test("the slide score comes from the pooled cells of all tiles, never from tile scores")
    func pooled() {
        // Tile A: 100 unstained cells (score 0). Tile B: 20 cells, 4 of them 3+ (20%: score 3+ on its own).
        // Pooled: 4 / 120 = 3.3% 3+ — intense complete staining in ≤10% → 2+ under ASCO/CAP 2018.
        let a = [HER2Score](repeating: .zero, count: 100).map { Self.cell($0, tile: "a") }
        let b = ([HER2Score](repeating: .three, count: 4) + [HER2Score](repeating: .zero, count: 16)).map { Self.cell($0, tile: "b") }
        var assembler = SlideAssembler(rules: ScoringRules())
        assembler.add(Self.tile("a", cells: a), cells: a)
        assembler.add(Self.tile("b", cells: b), cells: b)
        let score = assembler.score()
        #expect(score.tumourCells == 120)
        #expect(score.classCounts == [116, 0, 0, 4])
        #expect(abs(score.percentages.three - 100.0 * 4 / 120) < 1e-12)
        #expect(score.score == .two)
        #expect(assembler.cellCount == 120)
        // The same through SlideAnalyzer.assemble.
        let slide = SlideInput(name: "s", tilePaths: ["a", "b"])
        let result = SlideAnalyzer().assemble(slide: slide, preparation: SlidePreparation(stains: .ruifrokJohnstonHDAB, stainSource: .parameters),
                                              tiles: assembler.tiles, cells: [a, b])
        #expect(result.score == score)
        #expect(result.cells.count == 120)
    }

    @Test("gastric biopsy clusters never join cells of different tiles")
    func clustersStayInTheirTile() {
        // Three 3+ cells 5 µm apart in each of two tiles, at the same tile coordinates: clusters of 3, not 6.
        let cells = [0.0, 10, 20].map { Self.cell(.three, x: $0, y: 0) }
        var rules = ScoringRules(ruleSet: .gastricBiopsy)
        rules.minimumTumourCells = 0
        var assembler = SlideAssembler(rules: rules)
        assembler.add(Self.tile("a", cells: cells), cells: cells)
        assembler.add(Self.tile("b", cells: cells), cells: cells)
        #expect(assembler.score().largestClusters == [3, 3, 3])
        #expect(assembler.score().score == .zero)
        var one = SlideAssembler(rules: rules)
        let six = cells + [30.0, 40, 50].map { Self.cell(.three, x: $0, y: 0) }
        one.add(Self.tile("a", cells: six), cells: six)
        #expect(one.score().score == .three)
    }

    /// Two of the bundled virtual slides (4 tiles of 448 px), a missing tile, and a slide of one unreadable file.
    static func slides() throws -> [SlideInput] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .path + "/fixtures/slides/virtual"
        var slides = try SlideDiscovery.slides(from: [root + "/slide-001", root + "/slide-003"]).slides
        slides[1].tiles.insert(TileInput(path: root + "/slide-003/missing.png"), at: 1)
        slides.append(SlideInput(name: "broken", tilePaths: [root + "/README.md"]))
        return slides
    }

    /// Records the calls a sink receives.
    final class RecordingSink: BatchSink {
        var calls: [String] = []
        var failOnSlide: Int?
        var cells: [String: [CellMeasurement]] = [:]
        var summaries: [SlideSummary] = []
        func beginSlide(_ slide: SlideInput, index: Int, resumed: SlideSummary?) throws {
            if index == failOnSlide { throw ImageIOError(.cannotWrite, path: "x", message: "disk full") }
            calls.append("begin \(slide.name)")
        }
        func addTile(_ tile: TileResult, cells: [CellMeasurement], index: Int, of slide: SlideInput) throws {
            calls.append("tile \(slide.name) \(index) \(tile.tile) \(cells.count)")
            self.cells[slide.name, default: []].append(contentsOf: cells)
        }
        func finishSlide(_ summary: SlideSummary, of slide: SlideInput) throws {
            calls.append("finish \(summary.slide) \(summary.score.score.label) \(summary.flags.joined(separator: ";"))")
            summaries.append(summary)
        }
    }

    @Test("parallel results equal the sequential analysis, in order, whatever the number of jobs")
    func parallelEqualsSequential() throws {
        let slides = try Self.slides()
        let analyzer = SlideAnalyzer()
        let sequential = slides.map { analyzer.analyze($0) }
        var recorded: [[String]] = []
        for jobs in [1, 3] {
            let runner = BatchRunner(analyzer: analyzer, jobs: jobs, fingerprints: false)
            let sink = RecordingSink()
            var failed: [String] = []
            var progress: [BatchProgress] = []
            let totals = try runner.run(slides, sink: sink) { event in
                switch event {
                case .tileFailed(let slide, let tile): failed.append("\(slide)/\(tile.tile)")
                case .progress(let p): progress.append(p)
                case .slideFinished: break
                }
            }
            #expect(sink.summaries.map(\.slide) == sequential.map(\.slide))
            for (r, s) in zip(sink.summaries, sequential) {
                #expect(r.score == s.score)
                #expect((sink.cells[r.slide] ?? []) == s.cells)
                #expect(r.tiles.map(\.tile) == s.tiles.map(\.tile))
                #expect(r.tiles.map(\.error) == s.tiles.map(\.error))
                #expect(r.warnings == s.warnings)
            }
            #expect(failed == ["slide-003/missing.png", "broken/README.md"])
            #expect(totals.slides == 3 && totals.tiles == 6 && totals.tilesFailed == 2)
            #expect(progress.last?.tilesDone == 6 && progress.last?.slidesDone == 3)
            #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.tilesDone <= $1.tilesDone })
            recorded.append(sink.calls)
            #expect(failed == ["slide-003/missing.png", "broken/README.md"])
            #expect(totals.slides == 3 && totals.tiles == 6 && totals.tilesFailed == 2)
            #expect(progress.last?.tilesDone == 6 && progress.last?.slidesDone == 3)
            #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.tilesDone <= $1.tilesDone })
        }
        #expect(recorded[0] == recorded[1])
        let calls = recorded[0]
        #expect(calls.first == "begin slide-001")
        #expect(calls.filter { $0.hasPrefix("tile slide-003") }.map { $0.split(separator: " ")[2...3].joined(separator: " ") }
            == ["0 tile-000.png", "1 missing.png", "2 tile-001.png"])
        #expect(calls.contains { $0.hasPrefix("finish slide-003") && $0.hasSuffix("tile-errors") })
        #expect(calls.last?.hasPrefix("finish broken 0 ") == true)
    }

    @Test("an error of the sink stops the batch and is thrown; no worker is left running")
    func sinkFailure() throws {
        let slides = try Self.slides()
        let sink = RecordingSink()
        sink.failOnSlide = 1
        #expect(throws: ImageIOError.self) { try BatchRunner(analyzer: SlideAnalyzer(), jobs: 2).run(slides, sink: sink) }
        #expect(sink.calls.filter { $0.hasPrefix("finish") }.count == 1)
        #expect(sink.calls.first == "begin slide-001")
        #expect(!sink.calls.contains { $0.contains("slide-003") })
    }

    @Test("fingerprints: the key changes with a file's content and with the parameters, not with the folder's path")
    func fingerprints() throws {
        let f = TemporaryFolder()
        try f.write("one", to: "a/s/t.png")
        try f.write("one", to: "b/s/t.png")
        let digest = SlideFingerprint.parametersDigest(AnalysisParameters())
        let a = SlideFingerprint.compute(SlideInput.folder(f.file("a/s")), parametersDigest: digest)
        let b = SlideFingerprint.compute(SlideInput.folder(f.file("b/s")), parametersDigest: digest)
        #expect(a.key == b.key)
        #expect(a.tiles[0].sha256 == SHA256.hex(of: "one") && a.tiles[0].bytes == 3)
        var other = AnalysisParameters()
        other.rules.ruleSet = .breast2013
        #expect(SlideFingerprint.compute(SlideInput.folder(f.file("a/s")), parametersDigest: SlideFingerprint.parametersDigest(other)).key != a.key)
        try f.write("two", to: "b/s/t.png")
        #expect(SlideFingerprint.compute(SlideInput.folder(f.file("b/s")), parametersDigest: digest).key != a.key)
        var withMPP = SlideInput.folder(f.file("a/s"))
        withMPP.pixelSize = PixelSize(micronsPerPixel: 0.25, source: .user)
        #expect(SlideFingerprint.compute(withMPP, parametersDigest: digest).key != a.key)
    }
}
