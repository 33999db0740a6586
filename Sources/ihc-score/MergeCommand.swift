import ArgumentParser
import Foundation
import StainScore

/// `ihc-score merge OUT… --out DIR`: joins the results folders of several `score` runs (shards of
/// one batch, e.g. one per cluster job) into the folder one run would have written
/// (`ShardMerge`). The command parses, reports and maps errors to exit codes; the library does
/// the work.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the results folders of several `ihc-score score` runs (shards) into one.",
        discussion: """
            Each OUT is the --out folder of a finished `ihc-score score` run over some of the slides of a batch. \
            DIR gets what one run over all of them writes: slides.csv, tiles.csv and cells.csv (the shards' rows, \
            byte for byte, shard after shard in the order given), report.json (the union of the slides and errors, \
            totals recomputed, and a "shards" array with each shard's invocation, host, start and end, inputs, \
            options, timings and the SHA-256 of its files), report.html regenerated for all the slides, and \
            geojson/<slide>/, overlays/<slide>/ and .state/ gathered (hard-linked where possible, else copied).

            Order: a single run lists slides in input order (a manifest's order of first rows; a folder's sorted \
            sub-folders). Cut the list into consecutive shards and give the shards here in the same order, and the \
            merged CSV files equal a single run's byte for byte (but tiles.csv's seconds column, which differs \
            between any two runs). workflow/Snakefile does exactly that.

            Run QC: --controls LABELS.csv (slide,score) checks the control slides over the merged slides, as \
            `score --controls` does over one run (score the shards without --controls): if one is scored otherwise \
            than its label, or is missing, every slide is flagged controls-failed and the exit code is 2.

            Refused (exit 64, nothing written): a folder without a complete report.json; shards of different tool \
            versions, parameters (report.json parametersSHA256), rule sets, calibrations, --mpp/--override-mpp, \
            GeoJSON or overlay settings; shards run with --controls (a whole-run check); the same slide in two \
            shards; rows that do not match their shard's report.json.

            Exit codes:
              0   merged; every tile of every slide was scored
              2   merged; some inputs could not be scored in the shards (each is listed in report.json), or the
                  --controls failed
              64  usage error: the shards cannot be merged (the message names them and the difference)
              74  DIR cannot be created or written (or another ihc-score run is writing into it)
              1   an unexpected internal error
            """)

    @Argument(help: "The shards' results folders (each the --out of one `ihc-score score` run), in slide order.")
    var shards: [String]

    @Option(help: "The merged results folder (created if missing; must not be one of the shards).")
    var out: String

    @Option(help: "Run QC over the merged slides, as `score --controls` makes it over one run: a labels CSV (slide,score) naming the control slides and their expected scores. A control scored otherwise, or missing, flags every slide controls-failed (exit 2).")
    var controls: String?

    @Flag(help: "Print nothing on success (errors are still printed).")
    var quiet = false

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give at least one shard folder") }
    }

    func run() throws {
        let folders = shards.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let outFolder = out.count > 1 && out.hasSuffix("/") ? String(out.dropLast()) : out
        let result: ShardMerge.Result
        var controlProblems: [String] = []
        var expected: [SlideTruth] = []
        do {
            if let controls { expected = try TruthLabelsReader.read(controls) }
        } catch {
            Output.error("\(error)")
            throw ExitCodes.usage
        }
        do {
            let loaded = try ShardMerge.load(folders)
            try ShardMerge.check(loaded)
            if controls != nil { controlProblems = ShardMerge.controlProblems(loaded, expected: expected) }
            result = try ShardMerge.merge(loaded, into: outFolder, invocation: CommandLine.arguments, controls: controls,
                                          runFlags: controlProblems.isEmpty ? [] : [ControlCheck.flag])
        } catch let refusal as ShardMerge.Refusal {
            Output.error("cannot merge: \(refusal.message)")
            throw ExitCodes.usage
        } catch let error as ImageIOError {
            Output.error(error.description)
            throw error.kind == .cannotWrite ? ExitCodes.cannotWriteOutput : ExitCode.failure
        } catch {
            Output.error("\(error)")
            throw ExitCode.failure
        }
        if !quiet {
            print("merged \(folders.count) shard\(folders.count == 1 ? "" : "s"): \(result.slides) slides, \(result.tiles) tiles "
                  + "(\(result.tilesFailed) failed), \(result.cells) cells, \(result.filesGathered) per-tile files gathered "
                  + "(\(result.filesLinked) hard-linked) → \(outFolder)")
        }
        if result.errors > 0 {
            Output.warning("\(result.errors) input\(result.errors == 1 ? "" : "s") could not be scored in the shards; see \(outFolder)/report.json")
        }
        for problem in controlProblems { Output.error("control \(problem)") }
        if !controlProblems.isEmpty {
            Output.warning("controls failed: every slide of the merged run is flagged \(ControlCheck.flag); the run must not be reported (ASCO/CAP)")
        } else if controls != nil, !quiet {
            print("controls passed: \(expected.count) control\(expected.count == 1 ? "" : "s") scored as labelled")
        }
        if result.errors > 0 || !controlProblems.isEmpty { throw ExitCodes.someInputsFailed }
    }
}
