import Foundation
import Testing

/// The bundled virtual slides scored as a user would score them, against the truth their
/// renderer wrote (`fixtures/slides/virtual/labels.csv` and `cells.csv`): every slide's score,
/// and the per-cell classes at the accuracy the project promises (≥ 85%).
@Suite("The bundled virtual fixtures are scored right (end to end)")
struct FixtureAccuracyTests {
    @Test("each virtual fixture slide gets its truth score; per-cell class accuracy ≥ 85%")
    func virtualFixtures() throws {
        let scratch = Scratch()
        let out = scratch.file("fixtures")
        let run = try CLI.run(["score", "fixtures/slides/virtual", "--out", out, "--quiet", "--no-geojson"])
        try #require(run.status == 0, "\(run.stderr)")
        let predicted = try Results.table(out + "/slides.csv")
        let truth = try Results.table("\(CLI.packageRoot)/fixtures/slides/virtual/labels.csv")
        let truthScores = Dictionary(uniqueKeysWithValues: zip(try Results.column(truth, "slide"), try Results.column(truth, "score")))
        let slides = try Results.column(predicted, "slide"), scores = try Results.column(predicted, "score")
        #expect(slides.count == truthScores.count)
        for (slide, score) in zip(slides, scores) { #expect(score == truthScores[slide], "\(slide)") }
        // The cells against the renderer's per-cell truth, through validate.
        let validate = try CLI.run(["validate", "fixtures/slides/virtual", "--results", out])
        #expect(validate.status == 0, "\(validate.stderr)")
        let line = validate.stdout.split(separator: "\n").first { $0.hasPrefix("cell class accuracy") }
        let accuracy = line.flatMap { $0.split(separator: " ").dropFirst(3).first }.flatMap { Double($0.dropLast()) }
        let percent = try #require(accuracy, "\(validate.stdout)")
        #expect(percent >= 85, "cell class accuracy \(percent)%")
    }
}
