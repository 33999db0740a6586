#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `ihc-score merge`: joins the results folders of several `ihc-score score` runs over disjoint
/// sets of slides (*shards*, e.g. one per cluster job) into the folder one run over all of them
/// would have written.
///
/// Why: a batch split across machines must still end as one set of results a lab can check and
/// archive — one `slides.csv`, one report — and those results must not depend on how it was
/// split. So the merge copies, never recomputes:
///
/// - `slides.csv`, `tiles.csv` and `cells.csv` are the shards' rows, byte for byte, shard after
///   shard in the order given. A single run lists slides in input order, so when a manifest or a
///   sorted folder of slides is cut into consecutive shards (as `workflow/Snakefile` does) and the
///   shards are given in that order, the merged files equal a single run's byte for byte (but
///   for `tiles.csv`'s `seconds`, which differs between any two runs).
/// - `report.json` (schema `ihc-score/report/1`): the header of the first shard (the parameters
///   are the same in all, or the merge is refused), with this merge's invocation and host; the
///   union of the shards' slides and errors; summary totals recomputed as a single run computes
///   them; timings summed (CPU) or the longest (wall); and a `shards` array with each shard's own
///   header — invocation, host, start and end, inputs, options, summary, timings — its slides,
///   and the SHA-256 of the files it was merged from.
/// - `report.html` regenerated for the merged slides; each slide's membrane histogram is rebuilt
///   from its rows of the shard's `cells.csv`, as `--resume` does from a slide's saved rows.
/// - `geojson/<slide>/` and `overlays/<slide>/` gathered (hard-linked where possible, else
///   copied), and `.state/slides/<slide>/` too, so that `score --resume --out DIR` can reuse the
///   merged folder.
///
/// Refused, before anything is written (`ShardMerge.Refusal`): a folder without a complete
/// `report.json`, shards of different tool versions, parameters (`parametersSHA256`), rule sets,
/// calibrations or per-run options that change results (`--mpp`, `--override-mpp`, GeoJSON,
/// overlays), shards run with `--controls` (a whole-run check that a shard cannot make: `merge
/// --controls` makes it over the merged slides, as a single run would), the
/// same slide in two shards, and rows that do not match their shard's `report.json` (count,
/// order, SHA-256 of each slide's cell rows).
///
/// Every output is written to a temporary file and renamed into place, under the same lock on
/// `DIR/.state/lock` that `score` takes, so a merge and a run never write one folder at once;
/// each shard's lock is held shared from before its report is read to the end, so no run
/// rewrites a shard under the merge (merges may share a shard).
public enum ShardMerge {
    /// Why shards cannot be merged (nothing was written).
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// One shard: its folder and what its `report.json` says.
    public struct Shard: Sendable {
        public var directory: String
        /// The report's typed content.
        public var report: ShardReport
        /// The report's top-level members other than `slides` and `parameters`, kept as written.
        public var header: [String: JSONValue]
        /// SHA-256 of `report.json`.
        public var reportSHA256: String
        /// The shard's `.state/lock`, held shared from before its report is read until the last
        /// copy of this value is gone: no `score` run can rewrite the shard in between.
        var lock: FolderLock?
    }

    /// What the merge wrote.
    public struct Result: Sendable {
        public var slides: Int
        public var tiles: Int
        public var tilesFailed: Int
        public var cells: Int
        /// Errors listed in the merged report (failed tiles, inputs without images).
        public var errors: Int
        /// Per-tile files gathered (GeoJSON and overlays), and how many were hard-linked.
        public var filesGathered: Int
        public var filesLinked: Int
    }

    // MARK: Reading and checking

    /// Locks each shard (shared, as long as the returned values live) and reads its
    /// `report.json`. Throws `Refusal` for a folder that is not a finished `score` results folder,
    /// or that a run is writing into.
    public static func load(_ directories: [String]) throws -> [Shard] {
        try directories.map { directory in
            let lock = try FolderLock(shardDirectory: directory)
            let path = directory + "/report.json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Refusal("\(directory): no report.json — not the results folder of a finished `ihc-score score` run")
            }
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let report: ShardReport
            let top: [String: JSONValue]
            do {
                top = try decoder.decode([String: JSONValue].self, from: data)
            } catch {
                throw Refusal("\(path): not valid JSON (\(error))")
            }
            guard case .string(let schema)? = top["schema"], schema == ReportJSON.schema else {
                throw Refusal("\(path): schema \(top["schema"].map { "\($0)" } ?? "missing"), expected \(ReportJSON.schema)")
            }
            do {
                report = try decoder.decode(ShardReport.self, from: data)
            } catch {
                throw Refusal("\(path): cannot be read as an \(ReportJSON.schema) report (\(describe(error)))")
            }
            if report.complete == false { throw Refusal("\(path): the run did not complete") }
            var header = top
            header["slides"] = nil
            header["parameters"] = nil
            var hasher = SHA256()
            data.withUnsafeBytes { hasher.update($0) }
            return Shard(directory: directory, report: report, header: header, reportSHA256: hasher.hexDigest(), lock: lock)
        }
    }

    /// Throws a `Refusal` naming the shards and the difference when the shards cannot make one run.
    public static func check(_ shards: [Shard]) throws {
        guard let first = shards.first else { throw Refusal("no shards given") }
        func differ(_ what: String, _ value: (ShardReport) -> String?) throws {
            let a = value(first.report)
            for shard in shards.dropFirst() {
                let b = value(shard.report)
                if a != b {
                    throw Refusal("\(first.directory) and \(shard.directory) were run with different \(what): "
                                  + "\(a ?? "none") vs \(b ?? "none"); merge only shards of one run")
                }
            }
        }
        try differ("tool versions", { $0.tool + " " + $0.version })
        try differ("rule sets", { $0.ruleSet.name })
        for shard in shards.dropFirst() where shard.report.parametersSHA256 != first.report.parametersSHA256 {
            let changes = parameterDifferences(first.report.parameters, shard.report.parameters)
            throw Refusal("\(first.directory) and \(shard.directory) were run with different parameters (parametersSHA256 "
                          + "\(first.report.parametersSHA256.prefix(12))… vs \(shard.report.parametersSHA256.prefix(12))…)"
                          + (changes.isEmpty ? "" : ": " + changes.prefix(5).joined(separator: "; ") + (changes.count > 5 ? "; …" : ""))
                          + "; merge only shards of one run")
        }
        try differ("calibrations (SHA-256 of --calibration)", { $0.options.calibrationSHA256 })
        try differ("--mpp", { $0.options.mpp.map { "\($0)" } })
        try differ("--override-mpp", { "\($0.options.overrideMpp)" })
        try differ("GeoJSON settings (--no-geojson)", { $0.options.geojson ? "GeoJSON" : "no GeoJSON" })
        try differ("overlay settings (--overlays)", { $0.options.overlays ? "overlays" : "no overlays" })
        if let shard = shards.first(where: { $0.report.options.controls != nil }) {
            throw Refusal("\(shard.directory) was run with --controls \(shard.report.options.controls!): the controls check is made "
                          + "over a whole run, which a shard is not; score the shards without --controls and merge with --controls")
        }
        var seen: [String: String] = [:]
        var folders: [String: String] = [:]
        for shard in shards {
            let real = SlideDiscovery.realPath(shard.directory) ?? shard.directory
            if let other = folders[real] { throw Refusal("\(other) and \(shard.directory) are the same folder") }
            folders[real] = shard.directory
            for slide in shard.report.slides {
                if let other = seen[slide.slide] {
                    throw Refusal(other == shard.directory
                                  ? "\(shard.directory) lists slide '\(slide.slide)' twice"
                                  : "slide '\(slide.slide)' is in two shards: \(other) and \(shard.directory)")
                }
                seen[slide.slide] = shard.directory
            }
        }
    }

    // MARK: Merging

    /// The run QC a single run makes with `score --controls`, made over the merged slides:
    /// what is wrong with the controls (empty: they passed). See `ControlCheck`.
    public static func controlProblems(_ shards: [Shard], expected: [SlideTruth]) -> [String] {
        let slides = shards.flatMap(\.report.slides)
        return ControlCheck.problems(expected: expected, scored: Dictionary(slides.map { ($0.slide, $0.score) }, uniquingKeysWith: { a, _ in a }),
                                     slideNames: slides.map(\.slide))
    }

    /// Merges `shards` (checked with `check`) into `directory`. `invocation` is recorded as the
    /// merged report's. `controls` (the labels file of `merge --controls`, recorded in the
    /// header) and `runFlags` (added to every slide, as `score --controls` adds
    /// `controls-failed`: those slides' rows of slides.csv are then written anew, as the run
    /// writes them, rather than copied). Throws `Refusal` when a shard's files do not match its
    /// report (nothing is renamed into place then), `ImageIOError` when the output cannot be written.
    public static func merge(_ shards: [Shard], into directory: String, invocation: [String], controls: String? = nil,
                             runFlags: [String] = []) throws -> Result {
        try check(shards)
        if let realOut = SlideDiscovery.realPath(directory) {
            for shard in shards where SlideDiscovery.realPath(shard.directory) == realOut {
                throw Refusal("the output folder \(directory) is one of the shards (\(shard.directory)); merge into another folder")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/.state/slides", withIntermediateDirectories: true)
        } catch {
            throw ImageIOError(.cannotWrite, path: directory, message: "cannot create the output folder: \(BatchOutput.reason(error))")
        }
        let lock = try FolderLock(directory: directory)
        defer { lock.release() }
        AtomicFile.removeStaleTemporaries(in: directory, recursive: false)
        for folder in [".state", "geojson", "overlays"] {
            AtomicFile.removeStaleTemporaries(in: directory + "/" + folder, recursive: true)
        }

        var header = mergedHeader(shards, invocation: invocation)
        header.options.controls = controls
        let writer = try Writer(directory: directory, header: header, shards: shards)
        var result = Result(slides: 0, tiles: 0, tilesFailed: 0, cells: 0, errors: 0, filesGathered: 0, filesLinked: 0)
        var totals = BatchTotals()
        var scores: [String: Int] = [:]
        var categories: [String: Int] = [:]
        // As in a run: the inputs that gave no slide first, then the failed tiles slide by slide.
        var errors = shards.flatMap { $0.report.errors.filter { $0.slide == nil } }
        do {
            for (n, shard) in shards.enumerated() {
                let slidesCSV = try CSVRecordReader(path: shard.directory + "/slides.csv")
                let tilesCSV = try CSVRecordReader(path: shard.directory + "/tiles.csv")
                let cellsCSV = try CSVRecordReader(path: shard.directory + "/cells.csv")
                try writer.headers(slides: slidesCSV, tiles: tilesCSV, cells: cellsCSV, first: n == 0)
                for var slide in shard.report.slides {
                    slide.flags += runFlags.filter { !slide.flags.contains($0) }
                    try writer.copyRows(of: slide, slides: slidesCSV, tiles: tilesCSV, cells: cellsCSV, rewrite: !runFlags.isEmpty)
                    let gathered = try gather(slide, from: shard.directory, into: directory)
                    result.filesGathered += gathered.files
                    result.filesLinked += gathered.linked
                    try writer.emit(slide)
                    for tile in slide.tiles {
                        if let error = tile.error { errors.append(ReportJSON.Problem(path: tile.path, slide: slide.slide, tile: tile.tile, message: error)) }
                    }
                    scores[slide.score.reportedScore?.label ?? "unscored", default: 0] += 1
                    categories[slide.score.reportedCategory?.rawValue ?? "unscored", default: 0] += 1
                    totals.slides += 1
                    totals.slidesResumed += slide.resumed ? 1 : 0
                    totals.tiles += slide.tiles.count
                    totals.tilesResumed += slide.resumed ? slide.tiles.count : 0
                    totals.tilesFailed += slide.failedTiles
                    totals.tumourCells += slide.score.tumourCells
                    totals.cells += slide.cellRows
                }
                for (reader, name) in [(slidesCSV, "slides.csv"), (tilesCSV, "tiles.csv"), (cellsCSV, "cells.csv")] {
                    if try reader.next() != nil {
                        throw Refusal("\(shard.directory)/\(name) has rows after the last slide of its report.json; the folder's files are not of one run")
                    }
                }
            }
            let footer = mergedFooter(shards, totals: totals, scores: scores, categories: categories, errors: errors)
            try writer.finish(footer)
        } catch {
            writer.abandon()
            throw error
        }
        result.slides = totals.slides
        result.tiles = totals.tiles
        result.tilesFailed = totals.tilesFailed
        result.cells = totals.cells
        result.errors = errors.count
        return result
    }

    /// The merged report's header: the first shard's, with this merge's invocation and host, the
    /// earliest start, and every shard's inputs.
    static func mergedHeader(_ shards: [Shard], invocation: [String]) -> ReportJSON.Header {
        let first = shards[0].report
        let o = first.options
        let options = ReportJSON.Header.Options(
            jobs: shards.map(\.report.options.jobs).max() ?? o.jobs, resume: shards.contains { $0.report.options.resume },
            geojson: o.geojson, overlays: o.overlays,
            layout: Set(shards.map(\.report.options.layout)).count == 1 ? o.layout : nil,
            mpp: o.mpp, overrideMpp: o.overrideMpp,
            config: Set(shards.map(\.report.options.config)).count == 1 ? o.config : nil,
            calibration: o.calibration, calibrationSHA256: o.calibrationSHA256, controls: nil)
        var header = ReportJSON.Header(invocation: invocation, inputs: shards.flatMap(\.report.inputs),
                                       manifest: shards.count == 1 ? first.manifest : nil,
                                       parameters: first.parameters, options: options)
        header.startedAt = shards.map(\.report.startedAt).min() ?? first.startedAt
        header.version = first.version
        header.tool = first.tool
        header.ruleSet = .init(name: first.ruleSet.name, summary: first.ruleSet.summary)
        header.parametersSHA256 = first.parametersSHA256
        if let outputs = first.outputs { header.outputs = outputs }
        return header
    }

    /// Totals recomputed over the merged slides as a single run computes them; timings summed
    /// (CPU seconds, tiles analysed, megapixels) or the largest (wall seconds and peak memory: the
    /// shards ran side by side), each shard's own under `shards`.
    static func mergedFooter(_ shards: [Shard], totals: BatchTotals, scores: [String: Int], categories: [String: Int],
                             errors: [ReportJSON.Problem]) -> ReportJSON.Footer {
        let timings = shards.map(\.report.timings)
        let wall = timings.map(\.wallSeconds).max() ?? 0
        let analysed = timings.reduce(0) { $0 + $1.tilesAnalysed }
        let megapixels = timings.reduce(0.0) { $0 + $1.megapixelsPerSecond * $1.wallSeconds }
        return ReportJSON.Footer(
            finishedAt: shards.map(\.report.finishedAt).max() ?? ReportJSON.timestamp(Date()),
            summary: .init(slides: totals.slides, slidesScored: totals.slides - totals.slidesResumed, slidesResumed: totals.slidesResumed,
                           tiles: totals.tiles, tilesFailed: totals.tilesFailed, tumourCells: totals.tumourCells, cells: totals.cells,
                           scores: scores, categories: categories),
            errors: errors,
            timings: .init(wallSeconds: wall, cpuSeconds: timings.reduce(0) { $0 + $1.cpuSeconds },
                           jobs: timings.reduce(0) { $0 + $1.jobs }, tilesAnalysed: analysed,
                           tilesPerSecond: wall > 0 ? Double(analysed) / wall : 0,
                           megapixelsPerSecond: wall > 0 ? megapixels / wall : 0,
                           peakResidentBytes: timings.map(\.peakResidentBytes).max() ?? 0))
    }

    // MARK: Per-tile files and resume state

    /// Links (or copies) a slide's GeoJSON, overlays and saved state from the shard; removes the
    /// slide's files an earlier merge or run left in the output that this one does not list.
    static func gather(_ slide: SlideSummary, from shard: String, into directory: String) throws -> (files: Int, linked: Int) {
        var files = 0, linked = 0
        var written: Set<String> = []
        for tile in slide.tiles {
            for relative in [tile.geojson, tile.overlay].compactMap({ $0 }) {
                let source = shard + "/" + relative
                guard FileManager.default.fileExists(atPath: source) else {
                    throw Refusal("\(shard): \(relative), listed in its report.json for slide '\(slide.slide)', is missing")
                }
                if try place(source, at: directory + "/" + relative) { linked += 1 }
                files += 1
                written.insert(relative)
            }
        }
        for (folder, ext) in [("geojson", ".geojson"), ("overlays", ".png")] {
            let root = folder + "/" + slide.slide
            guard let walker = FileManager.default.enumerator(atPath: directory + "/" + root) else { continue }
            while let name = walker.nextObject() as? String {
                let relative = root + "/" + name
                if name.hasSuffix(ext), !written.contains(relative) { unlink(directory + "/" + relative) }
            }
        }
        // The saved state, when the shard has it intact, so that --resume works on the merged folder.
        let from = ResumeStore(outputDirectory: shard, requireGeoJSON: false, requireOverlays: false)
        let to = ResumeStore(outputDirectory: directory, requireGeoJSON: false, requireOverlays: false)
        if FileManager.default.fileExists(atPath: from.summaryPath(slide.slide)),
           FileManager.default.fileExists(atPath: from.cellsPath(slide.slide)) {
            try FileManager.default.createDirectory(atPath: to.slideDirectory(slide.slide), withIntermediateDirectories: true)
            // Cells first, summary last: the summary is what makes the state count.
            _ = try place(from.cellsPath(slide.slide), at: to.cellsPath(slide.slide))
            _ = try place(from.summaryPath(slide.slide), at: to.summaryPath(slide.slide))
        }
        return (files, linked)
    }

    /// Puts `source` at `destination` atomically: a hard link under a temporary name renamed into
    /// place, or a copy where links cannot be made (another file system). True when linked.
    static func place(_ source: String, at destination: String) throws -> Bool {
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ImageIOError(.cannotWrite, path: folder, message: "cannot create folder: \(BatchOutput.reason(error))")
        }
        let temporary = AtomicFile.temporaryPath(for: destination)
        if link(source, temporary) == 0 {
            guard rename(temporary, destination) == 0 else {
                let message = FileBytes.systemMessage()
                unlink(temporary)
                throw ImageIOError(.cannotWrite, path: destination, message: "cannot rename into place: \(message)")
            }
            return true
        }
        let stream = try AtomicStream(path: destination)
        do {
            try stream.append(contentsOf: source)
            try stream.commit()
        } catch {
            stream.abandon()
            throw error
        }
        return false
    }

    /// The parameters that differ, as `rules.minimumTumourCells 100 vs 10`.
    static func parameterDifferences(_ a: AnalysisParameters, _ b: AnalysisParameters) -> [String] {
        func flat(_ p: AnalysisParameters) -> [String: String] {
            guard let data = try? ReportJSON.encoder().encode(p), let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
            var out: [String: String] = [:]
            func walk(_ v: JSONValue, _ key: String) {
                switch v {
                case .object(let members): for (k, m) in members { walk(m, key.isEmpty ? k : key + "." + k) }
                case .string(let s): out[key] = s
                default: out[key] = v.description
                }
            }
            walk(value, "")
            return out
        }
        let x = flat(a), y = flat(b)
        return Set(x.keys).union(y.keys).sorted().compactMap { key in
            x[key] == y[key] ? nil : "\(key) \(x[key] ?? "absent") vs \(y[key] ?? "absent")"
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

// MARK: - The shard's report.json, as read

/// The members of a shard's `report.json` the merge uses (`ReportJSON.Header`, the slides and
/// `ReportJSON.Footer`, read back).
public struct ShardReport: Decodable, Sendable {
    public typealias RuleSetInfo = ReportJSON.Header.RuleSetInfo
    public typealias Options = ReportJSON.Header.Options
    public typealias Timings = ReportJSON.Footer.Timings

    public var schema: String
    public var tool: String
    public var version: String
    public var startedAt: String
    public var finishedAt: String
    public var complete: Bool?
    public var host: String
    public var invocation: [String]
    public var inputs: [String]
    public var manifest: String?
    public var ruleSet: RuleSetInfo
    public var parameters: AnalysisParameters
    public var parametersSHA256: String
    public var options: Options
    public var outputs: [String: String]?
    public var slides: [SlideSummary]
    public var errors: [ReportJSON.Problem]
    public var timings: Timings
}

/// Any JSON value, kept as read: how the merge carries each shard's header into the merged
/// report without knowing every member.
public enum JSONValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let v): "\(v)"
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .array(let v): "[\(v.count) values]"
        case .object(let v): "{\(v.count) members}"
        }
    }
}

// MARK: - Writing

extension ShardMerge {
    /// One shard as the merged report records it under `shards`.
    struct ShardRecord: Encodable {
        var directory: String
        var header: [String: JSONValue]
        var slides: [String]
        /// SHA-256 of the shard's files the merge read.
        var files: [String: String]

        func encode(to encoder: any Encoder) throws {
            // The shard's own members, then what the merge adds (which wins on a clash).
            try header.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(directory, forKey: .directory)
            try c.encode(slides, forKey: .slides)
            try c.encode(files, forKey: .files)
        }

        enum Key: String, CodingKey { case directory, slides, files }
    }

    /// The merged report's header: a `score` header plus `mergedAt` and `shards`.
    struct MergedHeader: Encodable {
        var header: ReportJSON.Header
        var mergedAt: String
        var mergedBy: String
        var shards: [ShardRecord]

        func encode(to encoder: any Encoder) throws {
            try header.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(mergedAt, forKey: .mergedAt)
            try c.encode(mergedBy, forKey: .mergedBy)
            try c.encode(shards, forKey: .shards)
        }

        enum Key: String, CodingKey { case mergedAt, mergedBy, shards }
    }

    /// The merged folder's streams, renamed into place together at the end.
    final class Writer {
        let directory: String
        let slidesFile: AtomicStream
        let tilesFile: AtomicStream
        let cellsFile: AtomicStream
        let report: AtomicStream
        let html: ReportHTML.Stream
        var reportSlides = 0
        var histogram = MembraneHistogram()
        var record: [UInt8] = []

        init(directory: String, header: ReportJSON.Header, shards: [Shard]) throws {
            self.directory = directory
            var records: [ShardRecord] = []
            for shard in shards {
                var files = ["report.json": shard.reportSHA256]
                for name in ["slides.csv", "tiles.csv", "cells.csv"] {
                    let path = shard.directory + "/" + name
                    guard FileManager.default.fileExists(atPath: path) else {
                        throw Refusal("\(shard.directory): no \(name) — not the results folder of a finished `ihc-score score` run")
                    }
                    files[name] = try SHA256.file(at: path).sha256
                }
                records.append(ShardRecord(directory: shard.directory, header: shard.header, slides: shard.report.slides.map(\.slide), files: files))
            }
            let merged = MergedHeader(header: header, mergedAt: ReportJSON.timestamp(Date()),
                                      mergedBy: "ihc-score " + StainScoreVersion.version + " merge", shards: records)
            slidesFile = try AtomicStream(path: directory + "/slides.csv")
            tilesFile = try AtomicStream(path: directory + "/tiles.csv")
            cellsFile = try AtomicStream(path: directory + "/cells.csv")
            report = try AtomicStream(path: directory + "/report.json")
            html = try ReportHTML.Stream(path: directory + "/report.html", header: header)
            try report.write("{\n" + (try ReportJSON.body(merged)) + ",\n  \"slides\" : [")
        }

        /// Checks a shard's header lines (the same in every shard) and writes the first's.
        func headers(slides: CSVRecordReader, tiles: CSVRecordReader, cells: CSVRecordReader, first: Bool) throws {
            for (reader, file, expected) in [(slides, slidesFile, SlidesCSV.header), (tiles, tilesFile, TilesCSV.header), (cells, cellsFile, CellsCSV.header)] {
                guard let line = try reader.next() else { throw Refusal("\(reader.path) is empty") }
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
                guard text == expected else {
                    throw Refusal("\(reader.path): its header line is not this version's (\(expected.prefix(40))…); merge with the ihc-score that scored the shards")
                }
                if first { try line.withUnsafeBytes { try file.write($0) } }
            }
        }

        /// Copies a slide's rows of the three CSV files, checking that they are the slide's and
        /// as many as its summary says, and rebuilds its membrane histogram from its cells.
        func copyRows(of slide: SlideSummary, slides: CSVRecordReader, tiles: CSVRecordReader, cells: CSVRecordReader, rewrite: Bool) throws {
            try copy(1, of: slide.slide, from: slides, to: rewrite ? nil : slidesFile)
            if rewrite { try slidesFile.write(SlidesCSV.row(slide) + "\n") }
            try copy(slide.tiles.count, of: slide.slide, from: tiles, to: tilesFile)
            histogram = MembraneHistogram()
            var hasher = SHA256()
            let columns = CellsCSV.columns
            let kind = columns.firstIndex(of: "kind")!, cls = columns.firstIndex(of: "class")!
            let intensity = columns.firstIndex(of: "intensity")!, completeness = columns.firstIndex(of: "completeness")!
            let last = max(kind, cls, intensity, completeness)
            for _ in 0..<slide.cellRows {
                guard let row = try cells.next() else {
                    throw Refusal("\(cells.path) ends inside slide '\(slide.slide)' (report.json lists \(slide.cellRows) cell rows)")
                }
                let fields = CSVRecordReader.fields(row, upTo: last)
                guard fields.first.map({ String(decoding: $0, as: UTF8.self) }) == slide.slide else {
                    throw Refusal("\(cells.path): a row of slide '\(fields.first.map { String(decoding: $0, as: UTF8.self) } ?? "")' where report.json has slide '\(slide.slide)'; the folder's files are not of one run")
                }
                row.withUnsafeBytes { hasher.update($0) }
                try row.withUnsafeBytes { try cellsFile.write($0) }
                if fields.count > last, fields[kind] == Array("tumour".utf8),
                   let k = MembraneHistogram.parseUnits(fields[cls][...]), k >= 0, k % 10_000 == 0,
                   let cellClass = HER2Score(rawValue: k / 10_000),
                   let i = MembraneHistogram.parseUnits(fields[intensity][...]),
                   let c = MembraneHistogram.parseUnits(fields[completeness][...]) {
                    histogram.add(intensityUnits: i, completenessUnits: c, cellClass: cellClass)
                }
            }
            if let expected = slide.cellsSHA256, slide.cellRows > 0, hasher.hexDigest() != expected {
                throw Refusal("\(cells.path): the rows of slide '\(slide.slide)' do not match their SHA-256 in report.json; the folder's files are not of one run")
            }
        }

        /// Copies `count` rows of `slide` (checked, and dropped when `file` is nil).
        func copy(_ count: Int, of slide: String, from reader: CSVRecordReader, to file: AtomicStream?) throws {
            for _ in 0..<count {
                guard let row = try reader.next() else {
                    throw Refusal("\(reader.path) ends before slide '\(slide)' of its report.json; the folder's files are not of one run")
                }
                let first = CSVRecordReader.fields(row, upTo: 0).first.map { String(decoding: $0, as: UTF8.self) }
                guard first == slide else {
                    throw Refusal("\(reader.path): a row of slide '\(first ?? "")' where report.json has slide '\(slide)'; the folder's files are not of one run")
                }
                try row.withUnsafeBytes { try file?.write($0) }
            }
        }

        /// Adds a slide to report.json and report.html (after its files were gathered).
        func emit(_ slide: SlideSummary) throws {
            let text = String(decoding: try ReportJSON.encoder().encode(slide), as: UTF8.self)
            let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
            try report.write((reportSlides == 0 ? "\n" : ",\n") + indented)
            reportSlides += 1
            let directory = self.directory
            try html.append(slide, histogram: histogram) { FileManager.default.fileExists(atPath: directory + "/" + $0) }
        }

        func finish(_ footer: ReportJSON.Footer) throws {
            try report.write((reportSlides == 0 ? "" : "\n  ") + "],\n" + (try ReportJSON.body(footer)) + "\n}\n")
            try cellsFile.commit()
            try tilesFile.commit()
            try slidesFile.commit()
            try report.commit()
            try html.finish(footer)
        }

        func abandon() {
            slidesFile.abandon()
            tilesFile.abandon()
            cellsFile.abandon()
            report.abandon()
            html.abandon()
        }
    }

    /// `DIR/.state/lock`, held with `flock` as `BatchOutput` holds it: one writer per folder.
    final class FolderLock: @unchecked Sendable {
        private var descriptor: Int32

        /// Locks the output folder (creating the lock file); throws when another run holds it.
        init(directory: String) throws {
            let path = directory + "/.state/lock"
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw ImageIOError(.cannotWrite, path: path, message: "cannot create: \(FileBytes.systemMessage())") }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                descriptor = -1
                throw ImageIOError(.cannotWrite, path: directory, message: "another ihc-score run is writing into this folder")
            }
        }

        /// Locks a shard while it is read, when it has a lock file (nil when it has none);
        /// throws `Refusal` when a run is writing into it.
        init?(shardDirectory: String) throws {
            let path = shardDirectory + "/.state/lock"
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            // Shared: merges may read a shard together; a `score` run (exclusive) may not write it meanwhile.
            guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
                close(descriptor)
                descriptor = -1
                throw Refusal("\(shardDirectory): an ihc-score run is writing into it; merge once it has finished")
            }
        }

        func release() {
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }

        deinit { release() }
    }
}

// MARK: - Reading CSV records

/// Reads a CSV file record by record, each with its line end, as written (RFC 4180: a quoted
/// field may hold commas, doubled quotes and line breaks). Memory holds one buffer and one record.
final class CSVRecordReader {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var atEnd = false
    private var record: [UInt8] = []

    init(path: String) throws {
        self.path = path
        guard let file = fopen(path, "rb") else {
            throw ShardMerge.Refusal("\(path): cannot open (\(FileBytes.systemMessage()))")
        }
        self.file = file
    }

    deinit { fclose(file) }

    /// The next record with its line end, or nil at the end of the file.
    func next() throws -> [UInt8]? {
        record.removeAll(keepingCapacity: true)
        var quoted = false
        while true {
            if start == end {
                if atEnd { return record.isEmpty ? nil : record }
                end = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                start = 0
                if end < buffer.count {
                    if ferror(file) != 0 { throw ShardMerge.Refusal("\(path): read failed (\(FileBytes.systemMessage()))") }
                    atEnd = true
                }
                continue
            }
            var i = start
            while i < end {
                let b = buffer[i]
                if b == UInt8(ascii: "\"") {
                    quoted.toggle()
                } else if b == 10 && !quoted {
                    record.append(contentsOf: buffer[start...i])
                    start = i + 1
                    return record
                }
                i += 1
            }
            record.append(contentsOf: buffer[start..<end])
            start = end
        }
    }

    /// The record's first `last + 1` fields, unquoted (line end dropped).
    static func fields(_ record: [UInt8], upTo last: Int) -> [[UInt8]] {
        var fields: [[UInt8]] = [[]]
        var quoted = false, quoteSeen = false
        for b in record {
            if quoted {
                if b == UInt8(ascii: "\"") { quoted = false; quoteSeen = true } else { fields[fields.count - 1].append(b) }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                if quoteSeen { fields[fields.count - 1].append(b) }
                quoted = true
            case UInt8(ascii: ","):
                if fields.count > last { return fields }
                fields.append([])
            case 10, 13:
                break
            default:
                fields[fields.count - 1].append(b)
            }
            quoteSeen = false
        }
        return fields
    }
}
