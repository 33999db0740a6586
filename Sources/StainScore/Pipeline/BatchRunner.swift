import Foundation

/// Scores many slides with a fixed pool of worker threads and a bounded amount of work in flight.
///
/// The work is one list of jobs in discovery order: for each slide a *prepare* job (fingerprint
/// its files, look for saved results, estimate its stains) followed by one job per tile. `jobs`
/// workers take the next job from a shared index under a lock; a tile job waits for its slide's
/// prepare job (always taken earlier, so never a deadlock). The calling thread consumes results
/// strictly in job order — feeding each slide's assembler and the sink tile by tile, finishing
/// the slide at its last tile — and workers may run at most `window` jobs ahead of it. So at any
/// moment at most `jobs` tiles are decoded and at most `window` finished tiles wait in memory,
/// whatever the number of tiles or slides; results come out in the same order, and with the same
/// bytes, for any `jobs`.
public struct BatchRunner: Sendable {
    public var analyzer: SlideAnalyzer
    /// Worker threads.
    public var jobs: Int
    /// Jobs that may be taken beyond the oldest unconsumed one (default 2 × jobs + 2).
    public var window: Int
    /// Hash every input file (for provenance and resume); off for in-memory scoring.
    public var fingerprints: Bool
    /// Times every stage of the workers when set (`ihc-score bench score`).
    public var meter: BatchMeter?

    public init(analyzer: SlideAnalyzer, jobs: Int = ProcessMetrics.availableCores, window: Int? = nil, fingerprints: Bool = true) {
        self.analyzer = analyzer
        self.jobs = max(1, jobs)
        self.window = max(1, window ?? 2 * max(1, jobs) + 2)
        self.fingerprints = fingerprints
    }

    /// Runs the batch. Results go to `sink` and `events` on this thread; `writer` runs on the
    /// workers. Throws the first error of the sink or writer (the batch stops; workers finish the
    /// job in hand and exit). Problems with inputs never throw: they are results.
    @discardableResult
    public func run(_ slides: [SlideInput], sink: BatchSink? = nil, resume: BatchResumeSource? = nil,
                    writer: BatchTileWriter? = nil, events: (BatchEvent) -> Void = { _ in }) throws -> BatchTotals {
        let start = ProcessMetrics.monotonicSeconds()
        let cpuStart = ProcessMetrics.now().cpuSeconds
        var jobList: [Job] = []
        for (s, slide) in slides.enumerated() {
            jobList.append(Job(slide: s, tile: -1))
            for t in slide.tiles.indices { jobList.append(Job(slide: s, tile: t)) }
        }
        let state = SharedState(jobs: jobList, window: window)
        let digest = SlideFingerprint.parametersDigest(analyzer.parameters)
        let context = WorkerContext(analyzer: analyzer, slides: slides, state: state, resume: resume, writer: writer,
                                    fingerprint: fingerprints || resume != nil, parametersDigest: digest, meter: meter)
        let workers = min(jobs, max(1, jobList.count))
        state.condition.lock()
        state.runningWorkers = workers
        state.condition.unlock()
        Self.startWorkers(workers) { _ in context.work() }

        var consumer = Consumer(slides: slides, rules: analyzer.parameters.rules, pixelSizeCheck: analyzer.parameters.pixelSizeCheck, sink: sink)
        consumer.progress.elapsedSeconds = 0
        var failure: (any Error)?
        var pending: [Int: Outcome] = [:]
        var consumed = 0
        while consumed < jobList.count, failure == nil {
            state.condition.lock()
            while state.finished.isEmpty { state.condition.wait() }
            let arrived = state.finished
            state.finished.removeAll(keepingCapacity: true)
            state.condition.unlock()
            for (index, outcome) in arrived { pending[index] = outcome }
            do {
                while let outcome = pending.removeValue(forKey: consumed) {
                    try consumer.consume(jobList[consumed], outcome, events: events)
                    consumed += 1
                }
            } catch {
                failure = error
            }
            state.condition.lock()
            state.limit = consumed + window
            if failure != nil { state.cancelled = true }
            // Finished slides' preparations are no longer needed by any worker.
            state.prepared = state.prepared.filter { $0.key >= consumer.nextSlide }
            state.condition.broadcast()
            state.condition.unlock()
            consumer.progress.elapsedSeconds = ProcessMetrics.monotonicSeconds() - start
            events(.progress(consumer.progress))
        }
        state.condition.lock()
        state.cancelled = true
        state.condition.broadcast()
        while state.runningWorkers > 0 { state.condition.wait() }
        state.condition.unlock()
        if let failure { throw failure }

        var totals = consumer.totals
        totals.wallSeconds = ProcessMetrics.monotonicSeconds() - start
        totals.cpuSeconds = ProcessMetrics.now().cpuSeconds - cpuStart
        totals.jobs = jobs
        return totals
    }

    /// Starts `count` worker threads running `body(worker)` — the project's one kind of worker
    /// thread (16 MiB stacks: the analysis keeps large scratch on the stack), used by the batch
    /// and by `ihc-score bench`. Returns at once.
    public static func startWorkers(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for worker in 0..<count {
            let thread = Thread { body(worker) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Runs `body(worker)` on `count` worker threads (`startWorkers`) and waits until all return.
    public static func onWorkers(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        final class Running: @unchecked Sendable {
            let condition = NSCondition()
            var count: Int
            init(_ count: Int) { self.count = count }
        }
        let running = Running(count)
        startWorkers(count) { worker in
            body(worker)
            running.condition.lock()
            running.count -= 1
            running.condition.broadcast()
            running.condition.unlock()
        }
        running.condition.lock()
        while running.count > 0 { running.condition.wait() }
        running.condition.unlock()
    }

    /// Scores slides in memory (no files written): each slide's result with all its cells, in
    /// order. For `validate`, which compares cells with truth.
    public func results(_ slides: [SlideInput], events: (BatchEvent) -> Void = { _ in }) throws -> [SlideResult] {
        let collector = SlideResultCollector(parameters: analyzer.parameters)
        try run(slides, sink: collector, events: events)
        return collector.results
    }

    // MARK: Jobs and outcomes

    struct Job: Sendable {
        var slide: Int
        /// -1: prepare the slide.
        var tile: Int
    }

    /// A prepared slide: saved results to reuse, or the stains to analyse its tiles with.
    struct Prepared: Sendable {
        var fingerprint: SlideFingerprint?
        var resumed: SlideSummary?
        var preparation: SlidePreparation?
    }

    enum Outcome: Sendable {
        case prepared(Prepared)
        case tile(TileResult, [CellMeasurement])
        case skipped
        case failure(any Error)
    }

    /// State shared by the workers and the consumer, guarded by `condition`.
    final class SharedState: @unchecked Sendable {
        let condition = NSCondition()
        let jobs: [Job]
        var next = 0
        var limit: Int
        var cancelled = false
        var runningWorkers = 0
        var prepared: [Int: Prepared] = [:]
        var finished: [(Int, Outcome)] = []

        init(jobs: [Job], window: Int) {
            self.jobs = jobs
            self.limit = window
        }
    }

    struct WorkerContext: Sendable {
        let analyzer: SlideAnalyzer
        let slides: [SlideInput]
        let state: SharedState
        let resume: BatchResumeSource?
        let writer: BatchTileWriter?
        let fingerprint: Bool
        let parametersDigest: String
        let meter: BatchMeter?

        func work() {
            while true {
                state.condition.lock()
                while !state.cancelled && state.next < state.jobs.count && state.next >= state.limit { state.condition.wait() }
                if state.cancelled || state.next >= state.jobs.count {
                    state.runningWorkers -= 1
                    state.condition.broadcast()
                    state.condition.unlock()
                    return
                }
                let index = state.next
                state.next += 1
                state.condition.unlock()
                let outcome = perform(state.jobs[index])
                state.condition.lock()
                if case .prepared(let prepared) = outcome {
                    state.prepared[state.jobs[index].slide] = prepared
                }
                state.finished.append((index, outcome))
                state.condition.broadcast()
                state.condition.unlock()
            }
        }

        func perform(_ job: Job) -> Outcome {
            let slide = slides[job.slide]
            if job.tile < 0 {
                let fingerprint = fingerprint ? meter.measure("hash") { SlideFingerprint.compute(slide, parametersDigest: parametersDigest) } : nil
                if let fingerprint, let saved = resume?.savedSlide(slide, key: fingerprint.key) {
                    return .prepared(Prepared(fingerprint: fingerprint, resumed: saved))
                }
                return .prepared(Prepared(fingerprint: fingerprint, preparation: meter.measure("prepare") { analyzer.prepare(slide) }))
            }
            state.condition.lock()
            while state.prepared[job.slide] == nil && !state.cancelled { state.condition.wait() }
            let prepared = state.prepared[job.slide]
            state.condition.unlock()
            guard let prepared, prepared.resumed == nil, let preparation = prepared.preparation else { return .skipped }
            let tile = slide.tiles[job.tile]
            var analysed = analyzer.analyzeTile(tile, of: slide, stains: preparation.stains, meter: meter)
            if let file = prepared.fingerprint?.tiles[job.tile] {
                analysed.result.bytes = file.bytes
                analysed.result.sha256 = file.sha256
            }
            if let roi = prepared.fingerprint?.regionsOfInterest[job.tile], analysed.result.regionOfInterest != nil {
                analysed.result.regionOfInterest?.bytes = roi.bytes
                analysed.result.regionOfInterest?.sha256 = roi.sha256
            }
            if let writer, analysed.analysis != nil {
                do {
                    let files = try writer.write(analysed, index: job.tile, of: slide)
                    analysed.result.geojson = files.geojson
                    analysed.result.overlay = files.overlay
                } catch {
                    return .failure(error)
                }
            }
            return .tile(analysed.result, analysed.cells)
        }
    }

    /// Consumes outcomes in job order on the calling thread.
    struct Consumer {
        let slides: [SlideInput]
        let rules: ScoringRules
        let sink: BatchSink?
        var progress: BatchProgress
        var totals = BatchTotals()
        /// The first slide not yet finished.
        var nextSlide = 0
        var prepared: Prepared?
        var assembler: SlideAssembler

        let pixelSizeCheck: PixelSizeCheckParameters

        init(slides: [SlideInput], rules: ScoringRules, pixelSizeCheck: PixelSizeCheckParameters, sink: BatchSink?) {
            self.slides = slides
            self.rules = rules
            self.pixelSizeCheck = pixelSizeCheck
            self.sink = sink
            self.progress = BatchProgress(slidesTotal: slides.count, tilesTotal: slides.reduce(0) { $0 + $1.tiles.count })
            self.assembler = SlideAssembler(rules: rules, pixelSizeCheck: pixelSizeCheck)
        }

        mutating func consume(_ job: Job, _ outcome: Outcome, events: (BatchEvent) -> Void) throws {
            let slide = slides[job.slide]
            switch outcome {
            case .failure(let error):
                throw error
            case .prepared(let p):
                prepared = p
                assembler = SlideAssembler(rules: rules, pixelSizeCheck: pixelSizeCheck)
                try sink?.beginSlide(slide, index: job.slide, resumed: p.resumed)
            case .skipped:
                progress.tilesDone += 1
                progress.tilesResumed += 1
            case .tile(let result, let cells):
                assembler.add(result, cells: cells)
                try sink?.addTile(result, cells: cells, index: job.tile, of: slide)
                progress.tilesDone += 1
                progress.megapixelsAnalysed += Double(result.width * result.height) / 1e6
                if result.error != nil {
                    progress.tilesFailed += 1
                    events(.tileFailed(slide: slide.name, tile: result))
                }
            }
            if job.tile == slide.tiles.count - 1 { try finish(slide, events: events) }
        }

        mutating func finish(_ slide: SlideInput, events: (BatchEvent) -> Void) throws {
            guard let p = prepared else { return }
            var summary: SlideSummary
            if var saved = p.resumed {
                saved.resumed = true
                // Paths are not part of the key: report where the files are now.
                for (i, tile) in slide.tiles.enumerated() where i < saved.tiles.count {
                    saved.tiles[i].path = tile.path
                    if let roi = tile.regionOfInterest { saved.tiles[i].regionOfInterest?.path = roi }
                }
                summary = saved
                progress.slidesResumed += 1
                for tile in saved.tiles where tile.error != nil {
                    progress.tilesFailed += 1
                    events(.tileFailed(slide: slide.name, tile: tile))
                }
            } else {
                let preparation = p.preparation ?? SlidePreparation(stains: StainMatrix.ruifrokJohnstonHDAB, stainSource: .parameters)
                let score = assembler.score()
                summary = SlideSummary(slide: slide.name, score: score, flags: score.flags + assembler.batchFlags(preparation: preparation),
                                       tiles: assembler.tiles, warnings: assembler.warnings(preparation: preparation),
                                       stains: preparation.stains, stainSource: preparation.stainSource,
                                       cellRows: assembler.cellCount, analysisSeconds: assembler.tiles.reduce(0) { $0 + $1.seconds },
                                       inputKey: p.fingerprint?.key)
            }
            try sink?.finishSlide(summary, of: slide)
            progress.slidesDone += 1
            totals.slides += 1
            totals.slidesResumed += summary.resumed ? 1 : 0
            totals.tiles += summary.tiles.count
            totals.tilesResumed += summary.resumed ? summary.tiles.count : 0
            totals.tilesFailed += summary.failedTiles
            totals.tumourCells += summary.score.tumourCells
            totals.cells += summary.cellRows
            totals.megapixelsAnalysed += summary.resumed ? 0 : summary.tiles.reduce(0) { $0 + Double($1.width * $1.height) / 1e6 }
            events(.slideFinished(summary))
            prepared = nil
            nextSlide += 1
        }
    }
}

/// Collects whole slide results (with cells) from a batch, for in-memory use.
final class SlideResultCollector: BatchSink {
    let parameters: AnalysisParameters
    var results: [SlideResult] = []
    private var cells: [CellMeasurement] = []

    init(parameters: AnalysisParameters) { self.parameters = parameters }

    func beginSlide(_ slide: SlideInput, index: Int, resumed: SlideSummary?) throws { cells = [] }

    func addTile(_ tile: TileResult, cells: [CellMeasurement], index: Int, of slide: SlideInput) throws {
        self.cells.append(contentsOf: cells)
    }

    func finishSlide(_ summary: SlideSummary, of slide: SlideInput) throws {
        results.append(SlideResult(slide: summary.slide, score: summary.score, tiles: summary.tiles, cells: cells,
                                   warnings: summary.warnings, parameters: parameters))
        cells = []
    }
}
